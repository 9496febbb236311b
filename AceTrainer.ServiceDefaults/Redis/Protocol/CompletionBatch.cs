namespace AceTrainer.ServiceDefaults.Redis.Protocol;

/// <summary>
/// Replies parsed from one socket read, completed together on one thread-pool work item: callers' continuations
/// run inline there (one hop per read instead of one per reply) and never on the reader loop.
/// </summary>
internal sealed class CompletionBatch : IThreadPoolWorkItem
{
    private PendingReply[] _pending = new PendingReply[16];
    private RedisReply?[] _replies = new RedisReply?[16];

    // When set, every entry fails with it instead of taking a reply (connection loss, timeouts).
    private Func<PendingReply, Exception>? _failure;

    public int Count { get; private set; }

    public static CompletionBatch Failing(Func<PendingReply, Exception> failure) => new() { _failure = failure };

    public void Add(PendingReply pending, RedisReply? reply)
    {
        if (Count == _pending.Length)
        {
            Array.Resize(ref _pending, Count * 2);
            Array.Resize(ref _replies, Count * 2);
        }
        _pending[Count] = pending;
        _replies[Count] = reply;
        Count++;
    }

    /// <summary>Queues the completions to the thread pool (no-op when empty).</summary>
    public void Dispatch()
    {
        if (Count > 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        for (var i = 0; i < Count; i++)
        {
            if (_failure is not null)
            {
                _pending[i].Fail(_failure(_pending[i]));
            }
            else
            {
                _pending[i].Complete(_replies[i]!);
            }
        }
    }
}
