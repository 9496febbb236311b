namespace AceTrainer.ServiceDefaults.Redis.Protocol;

/// <summary>
/// A command awaiting its reply. It stays in the connection's FIFO even after the caller gave up
/// (timeout/cancel), so the reader still consumes and discards its reply and the stream stays in sync.
/// </summary>
internal sealed class PendingReply : TaskCompletionSource<RedisReply>
{
    // Continuations run inline where completion happens: a CompletionBatch work item, never the reader loop.
    public PendingReply(string command, long deadlineTimestamp)
    {
        Command = command;
        DeadlineTimestamp = deadlineTimestamp;
    }

    public string Command { get; }

    /// <summary>When true, an error reply completes the task as a value (contiguous batches report per-command errors).</summary>
    public bool ReturnsErrors { get; init; }

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp after which the caller gets a timeout.</summary>
    public long DeadlineTimestamp { get; }

    // Unregistered on completion; may fire concurrently with the reader completing us (TrySet* arbitrates).
    private CancellationTokenRegistration _cancellation;

    public void AttachCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((PendingReply)state!).TrySetCanceled(token), this);
        }
    }

    public void Complete(RedisReply reply)
    {
        if (reply.Kind == RedisReplyKind.Error && !ReturnsErrors)
        {
            TrySetException(new RedisServerException(reply.AsString()!));
        }
        else
        {
            TrySetResult(reply);
        }
        _cancellation.Dispose();
    }

    public void Fail(Exception exception)
    {
        TrySetException(exception);
        _cancellation.Dispose();
    }

    public static Exception TimeoutFailure(PendingReply pending, TimeSpan timeout) =>
        new OperationCanceledException($"Redis {pending.Command} timed out after {timeout.TotalMilliseconds:0} ms (its reply will be discarded when it arrives).");
}
