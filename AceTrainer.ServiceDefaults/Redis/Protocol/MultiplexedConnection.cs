using System.Buffers;
using System.Diagnostics;

namespace AceTrainer.ServiceDefaults.Redis.Protocol;

/// <summary>
/// One live socket shared by all callers: callers encode commands into a shared buffer and enqueue their
/// <see cref="PendingReply"/> under one lock (so wire order == queue order); a writer loop flushes whole
/// batches; a reader loop matches replies to the queue head. Lives until the socket fails, then fails every pending reply.
/// </summary>
internal sealed class MultiplexedConnection
{
    // Guards _filling, _pending, _writerIdle, _closed, _sweptCount. Held only for encoding and queue edits, never across I/O.
    private readonly Lock _sync = new();

    private readonly RedisTransport _transport;

    // Invoked once, before pending replies fail, so the client stops handing out this connection first.
    private readonly Action<MultiplexedConnection, Exception> _onClosing;

    // Commands encoded but not yet handed to the socket; swapped with _sending by the writer loop.
    private PooledBufferWriter _filling = new();

    // The batch the writer loop is sending; touched only by the writer loop (outside the lock).
    private PooledBufferWriter _sending = new();

    // Replies awaited in wire order. Hazard: must be edited in the same critical section as _filling.
    private readonly PendingReplyQueue _pending = new();

    // Count of queue-head entries the timeout sweep already expired; lets each sweep start where the last stopped.
    private int _sweptCount;

    // True while the writer loop waits on _writerWake; whoever flips it to false must Release once (count stays <= 1).
    private bool _writerIdle = true;
    private readonly SemaphoreSlim _writerWake = new(0);

    // Set once the connection failed; later enqueues are refused so callers wait for the next connection.
    private bool _closed;

    public MultiplexedConnection(RedisTransport transport, Action<MultiplexedConnection, Exception> onClosing)
    {
        _transport = transport;
        _onClosing = onClosing;
    }

    public RedisProtocol Protocol => _transport.Protocol;

    /// <summary>Queues commands contiguously on the wire; false when this connection is already closed.</summary>
    public bool TryEnqueue(ReadOnlySpan<PendingReply> replies, ReadOnlySpan<RedisCommand> commands)
    {
        bool wake;
        lock (_sync)
        {
            if (_closed)
            {
                return false;
            }
            for (var i = 0; i < commands.Length; i++)
            {
                RespEncoder.WriteCommand(_filling, commands[i].Name, commands[i].Args);
                _pending.Enqueue(replies[i]);
            }
            wake = _writerIdle;
            _writerIdle = false;
        }
        if (wake)
        {
            _writerWake.Release();
        }
        return true;
    }

    public bool TryEnqueue(PendingReply reply, string command, IReadOnlyList<RedisArg> args)
    {
        bool wake;
        lock (_sync)
        {
            if (_closed)
            {
                return false;
            }
            RespEncoder.WriteCommand(_filling, command, args);
            _pending.Enqueue(reply);
            wake = _writerIdle;
            _writerIdle = false;
        }
        if (wake)
        {
            _writerWake.Release();
        }
        return true;
    }

    /// <summary>Runs the reader and writer loops until either fails or <paramref name="cancellationToken"/> fires; always ends with Close.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = ReadLoopAsync(stop.Token);
        var writer = WriteLoopAsync(stop.Token);
        var first = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        var failure = first.Exception?.GetBaseException()
            ?? new RedisConnectionException(cancellationToken.IsCancellationRequested ? "The Redis client was disposed." : "The connection closed.");
        if (failure is not RedisConnectionException)
        {
            failure = new RedisConnectionException($"Redis connection lost: {failure.Message}", failure);
        }
        Close(failure);
        stop.Cancel();
        await _transport.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(reader, writer).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _filling.Dispose();
        _sending.Dispose();
        throw failure;
    }

    /// <summary>Fails every pending command whose deadline passed; their replies will still be read and dropped.</summary>
    public void SweepTimeouts(long nowTimestamp, TimeSpan timeout)
    {
        var expired = CompletionBatch.Failing(pending => PendingReply.TimeoutFailure(pending, timeout));
        lock (_sync)
        {
            while (_sweptCount < _pending.Count)
            {
                var reply = _pending[_sweptCount];
                if (reply.DeadlineTimestamp > nowTimestamp)
                {
                    break;
                }
                expired.Add(reply, null);
                _sweptCount++;
            }
        }
        expired.Dispatch();
    }

    private void Close(Exception failure)
    {
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }
        }
        _onClosing(this, failure);
        var failed = CompletionBatch.Failing(_ => failure);
        lock (_sync)
        {
            _closed = true;
            while (_pending.TryDequeue(out var reply))
            {
                failed.Add(reply, null);
            }
        }
        failed.Dispatch();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var stream = _transport.Stream;
        while (true)
        {
            var hasBatch = false;
            lock (_sync)
            {
                if (_filling.WrittenCount == 0)
                {
                    _writerIdle = true;
                }
                else
                {
                    (_filling, _sending) = (_sending, _filling);
                    hasBatch = true;
                }
            }
            if (!hasBatch)
            {
                await _writerWake.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            await stream.WriteAsync(_sending.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            _sending.Reset();
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        var pipe = _transport.Reader;
        var parsed = new List<RedisReply>();
        while (true)
        {
            var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            var sequence = new SequenceReader<byte>(result.Buffer);
            while (true)
            {
                var attempt = sequence;
                if (!RespParser.TryRead(ref attempt, out var reply))
                {
                    break;
                }
                sequence = attempt;
                // RESP3 out-of-band pushes (e.g. tracking invalidations) answer no command: never match them to the queue.
                if (reply.Kind != RedisReplyKind.Push)
                {
                    parsed.Add(reply);
                }
            }
            pipe.AdvanceTo(sequence.Position, result.Buffer.End);
            MatchToPending(parsed);
            parsed.Clear();
            if (result.IsCompleted)
            {
                throw new RedisConnectionException("Redis connection lost: the server closed the connection.");
            }
        }
    }

    private void MatchToPending(List<RedisReply> replies)
    {
        if (replies.Count == 0)
        {
            return;
        }
        var batch = new CompletionBatch();
        lock (_sync)
        {
            foreach (var reply in replies)
            {
                if (!_pending.TryDequeue(out var pending))
                {
                    throw new RedisConnectionException($"Protocol error: reply {reply} arrived with no command pending.");
                }
                batch.Add(pending, reply);
            }
            _sweptCount = Math.Max(0, _sweptCount - replies.Count);
        }
        batch.Dispatch();
    }

    internal static long DeadlineFrom(TimeSpan timeout) => Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
}
