using System.Globalization;
using AceTrainer.ServiceDefaults.Redis;

namespace AceTrainer.TrainingService.Queue;

/// <summary>
/// A durable queue of training runs with Hangfire's semantics (scheduled, leased, retried with backoff, dead-lettered),
/// kept in Redis (run it with AOF on: the queue is only as durable as Redis' persistence). Only run ids live here; what
/// must survive beyond the queue (configs, checkpoints, results) lives in blobs.
/// </summary>
/// <remarks>
/// Keys, all under <see cref="RunQueueOptions.KeyPrefix"/> (P):
/// <list type="bullet">
/// <item>P+"due": sorted set run id → due time (Unix ms) of every queued or scheduled run; leasing takes the lowest due ≤ now.</item>
/// <item>P+"leases": sorted set run id → lease expiry (Unix ms) of every leased run; the sweep takes back those below now.</item>
/// <item>P+"paused": sorted set run id → time paused; paused runs are in no other set, so they are never leased.</item>
/// <item>P+"dead": sorted set run id → time dead-lettered; kept until cancelled or enqueued again.</item>
/// <item>P+"workers": hash worker id → run id it holds; the guard for one lease per worker (one run per GPU).</item>
/// <item>P+"run:{id}": hash state, due, failures, leases, expired, token, worker, until, request, error, failed, enqueued.</item>
/// </list>
/// Concurrency hazards, and why they cannot happen:
/// <list type="bullet">
/// <item>Two workers leasing one run: the pick and the move from "due" to "leases" are one script, so the second sees it gone.</item>
/// <item>A slow worker acting after its lease was taken back: every lease gets a fresh random token, the sweep deletes it,
/// and complete/fail/heartbeat/release compare it inside their script, so the stale call is a no-op that reports the loss.</item>
/// <item>Cancel or pause racing a worker's completion: both are scripts on the same hash; whichever runs second sees the
/// other's result (a completed run is gone: cancel says NotFound).</item>
/// <item>Equal due times: Redis orders equal scores by member, so such runs lease in run-id order, not enqueue order.</item>
/// <item>Clock skew between services: all times come from the caller's <see cref="TimeProvider"/>, so services must share
/// a reasonably synchronised clock; a skew shortens or lengthens leases by that much, it never double-leases.</item>
/// <item>A reply lost with the connection: the script may or may not have run; enqueue, cancel, pause, resume and the
/// sweep are idempotent, so retrying them is safe; a lost lease reply leaves a lease that expires and is swept (until
/// then that worker id gets no new lease, which also holds a worker restarted under the same id).</item>
/// </list>
/// </remarks>
public sealed class RunQueue
{
    private readonly IRedisClient _redis;
    private readonly TimeProvider _time;
    private readonly string _prefix;
    private readonly string _due;
    private readonly string _leases;
    private readonly string _paused;
    private readonly string _dead;
    private readonly string _workers;

    public RunQueue(IRedisClient redis, RunQueueOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _redis = redis;
        _time = time;
        Options = options;
        _prefix = options.KeyPrefix;
        _due = _prefix + "due";
        _leases = _prefix + "leases";
        _paused = _prefix + "paused";
        _dead = _prefix + "dead";
        _workers = _prefix + "workers";
    }

    public RunQueueOptions Options { get; }

    /// <summary>
    /// Queues a run, due now or at <paramref name="notBefore"/>. Idempotent: a run already queued, scheduled, leased or
    /// paused is left as it is (returns false); a dead-lettered run starts afresh (failures reset).
    /// </summary>
    public async Task<bool> EnqueueAsync(string runId, DateTimeOffset? notBefore = null, CancellationToken cancellationToken = default)
    {
        CheckRunId(runId);
        var now = NowMs();
        var due = notBefore is { } at ? Math.Max(at.ToUnixTimeMilliseconds(), 0) : now;
        var reply = await RunAsync(RunQueueScripts.Enqueue, [_due, _dead, RunKey(runId)], [runId, due, now], cancellationToken).ConfigureAwait(false);
        return reply.AsString() == "new";
    }

    /// <summary>Leases the due run with the earliest due time to <paramref name="workerId"/>; null when none is due or the worker already holds a lease.</summary>
    public async Task<RunLease?> TryLeaseAsync(string workerId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        var now = NowMs();
        var until = now + LeaseMs();
        var token = Guid.NewGuid().ToString("N");
        var reply = await RunAsync(RunQueueScripts.Lease, [_due, _leases, _workers], [_prefix, workerId, now, until, token], cancellationToken).ConfigureAwait(false);
        if (reply.IsNull || reply.Items.Count < 2)
        {
            return null;
        }
        return new RunLease(reply.Items[0].AsString()!, workerId, (int)reply.Items[1].AsInt64(), token, FromMs(until));
    }

    /// <summary>Extends the lease by <see cref="RunQueueOptions.LeaseDuration"/> and says what the worker must do next.</summary>
    public async Task<HeartbeatSignal> HeartbeatAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var until = NowMs() + LeaseMs();
        var reply = await RunAsync(RunQueueScripts.Heartbeat, [_leases, RunKey(lease.RunId)], [lease.RunId, lease.Token, until], cancellationToken).ConfigureAwait(false);
        return reply.AsString() switch
        {
            "continue" => HeartbeatSignal.Continue,
            "cancel" => HeartbeatSignal.Cancel,
            "pause" => HeartbeatSignal.Pause,
            _ => HeartbeatSignal.Lost,
        };
    }

    /// <summary>Removes a finished run from the queue; false when the lease was stale (the run was taken back).</summary>
    public Task<bool> CompleteAsync(RunLease lease, CancellationToken cancellationToken = default) => RemoveAsync(lease, cancellationToken);

    /// <summary>Removes a run the worker stopped after a <see cref="HeartbeatSignal.Cancel"/>; false when the lease was stale.</summary>
    public Task<bool> ReleaseCancelledAsync(RunLease lease, CancellationToken cancellationToken = default) => RemoveAsync(lease, cancellationToken);

    /// <summary>
    /// Parks a run the worker stopped after a <see cref="HeartbeatSignal.Pause"/>: not leased again until resumed, then
    /// due at once. A cancel requested meanwhile wins and removes it. False when the lease was stale.
    /// </summary>
    public async Task<bool> ReleasePausedAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var reply = await RunAsync(RunQueueScripts.ReleasePaused, [_leases, _paused, _workers, RunKey(lease.RunId)], [lease.RunId, lease.Token, NowMs()], cancellationToken).ConfigureAwait(false);
        return reply.AsString() != "lost";
    }

    /// <summary>
    /// Records a failed attempt. Transient: back on the schedule after BackoffBase·2^(failures−1) (capped at BackoffMax)
    /// until <see cref="RunQueueOptions.MaxAttempts"/> attempts have failed; then, or at once when not transient, dead-lettered with the error.
    /// </summary>
    public async Task<FailResult> FailAsync(RunLease lease, string error, bool transient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(error);
        var reply = await RunAsync(RunQueueScripts.Fail, [_due, _leases, _paused, _dead, _workers, RunKey(lease.RunId)],
            [lease.RunId, lease.Token, error, transient ? 1 : 0, NowMs(), Options.MaxAttempts,
             (long)Options.BackoffBase.TotalMilliseconds, (long)Options.BackoffMax.TotalMilliseconds], cancellationToken).ConfigureAwait(false);
        var failures = (int)reply.Items[1].AsInt64();
        var retryAt = long.Parse(reply.Items[2].AsString()!, CultureInfo.InvariantCulture);
        return reply.Items[0].AsString() switch
        {
            "retrying" => new FailResult(FailureOutcome.Retrying, failures, FromMs(retryAt)),
            "paused" => new FailResult(FailureOutcome.Paused, failures, FromMs(retryAt)),
            "dead" => new FailResult(FailureOutcome.DeadLettered, failures, null),
            "cancelled" => new FailResult(FailureOutcome.Cancelled, failures, null),
            _ => new FailResult(FailureOutcome.LeaseLost, 0, null),
        };
    }

    /// <summary>
    /// Takes back every lease that expired (its worker died or stalled): the run is due now with its failure count kept
    /// (or paused/removed when that was requested), and the old lease's token is rejected from then on. A run whose
    /// leases expired <see cref="RunQueueOptions.MaxExpiredLeases"/> times is dead-lettered instead (it kills or hangs
    /// every worker that takes it). Call it periodically from any service; concurrent sweeps are harmless.
    /// </summary>
    public async Task<SweepResult> RequeueExpiredAsync(CancellationToken cancellationToken = default)
    {
        var times = Options.MaxExpiredLeases == 1 ? "once" : $"{Options.MaxExpiredLeases} times";
        var error = $"its worker stopped renewing the lease {times} (the process died or hung while running it)";
        var reply = await RunAsync(RunQueueScripts.RequeueExpired, [_due, _leases, _paused, _workers, _dead],
            [_prefix, NowMs(), Options.MaxExpiredLeases, error], cancellationToken).ConfigureAwait(false);
        return new SweepResult((int)reply.Items[0].AsInt64(), reply.Items.Skip(1).Select(i => i.AsString()!).ToList(), error);
    }

    /// <summary>
    /// Gives a leased run back (its worker is shutting down, after saving a checkpoint): due now for any worker, without
    /// counting a failure or an expiry. A cancel or pause requested meanwhile wins.
    /// </summary>
    public async Task<GiveBackResult> GiveBackAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var reply = await RunAsync(RunQueueScripts.GiveBack, [_due, _leases, _paused, _workers, RunKey(lease.RunId)], [lease.RunId, lease.Token, NowMs()], cancellationToken).ConfigureAwait(false);
        return reply.AsString() switch
        {
            "queued" => GiveBackResult.Queued,
            "paused" => GiveBackResult.Paused,
            "cancelled" => GiveBackResult.Cancelled,
            _ => GiveBackResult.LeaseLost,
        };
    }

    /// <summary>Removes a queued, scheduled, paused or dead-lettered run at once; flags a leased one (its heartbeat says cancel).</summary>
    public async Task<CancelResult> CancelAsync(string runId, CancellationToken cancellationToken = default)
    {
        CheckRunId(runId);
        var reply = await RunAsync(RunQueueScripts.Cancel, [_due, _paused, _dead, RunKey(runId)], [runId], cancellationToken).ConfigureAwait(false);
        return reply.AsString() switch
        {
            "removed" => CancelResult.Removed,
            "flagged" => CancelResult.Flagged,
            _ => CancelResult.NotFound,
        };
    }

    /// <summary>Parks a queued or scheduled run (never leased until resumed); flags a leased one (its heartbeat says pause).</summary>
    public async Task<PauseResult> PauseAsync(string runId, CancellationToken cancellationToken = default)
    {
        CheckRunId(runId);
        var reply = await RunAsync(RunQueueScripts.Pause, [_due, _paused, RunKey(runId)], [runId, NowMs()], cancellationToken).ConfigureAwait(false);
        return reply.AsString() switch
        {
            "paused" => PauseResult.Paused,
            "already" => PauseResult.AlreadyPaused,
            "flagged" => PauseResult.Flagged,
            "no" => PauseResult.NotPausable,
            _ => PauseResult.NotFound,
        };
    }

    /// <summary>Puts a paused run back at its due time, or withdraws a pause request the worker has not acted on yet.</summary>
    public async Task<ResumeResult> ResumeAsync(string runId, CancellationToken cancellationToken = default)
    {
        CheckRunId(runId);
        var reply = await RunAsync(RunQueueScripts.Resume, [_due, _paused, RunKey(runId)], [runId], cancellationToken).ConfigureAwait(false);
        return reply.AsString() switch
        {
            "resumed" => ResumeResult.Resumed,
            "unflagged" => ResumeResult.Unflagged,
            "no" => ResumeResult.NotPaused,
            _ => ResumeResult.NotFound,
        };
    }

    /// <summary>A run's queue record; null when the queue does not hold it (never enqueued, completed or cancelled).</summary>
    public async Task<RunQueueEntry?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        CheckRunId(runId);
        var fields = await _redis.HashGetAllAsync(RunKey(runId), cancellationToken).ConfigureAwait(false);
        return fields.Count == 0 ? null : ToEntry(runId, fields);
    }

    /// <summary>Up to <paramref name="limit"/> runs of one listing, in its order. Not a snapshot: a run moving meanwhile may be missing.</summary>
    public async Task<IReadOnlyList<RunQueueEntry>> ListAsync(RunQueueListing listing, int limit = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var key = listing switch
        {
            RunQueueListing.Waiting => _due,
            RunQueueListing.Leased => _leases,
            RunQueueListing.Paused => _paused,
            RunQueueListing.DeadLettered => _dead,
            _ => throw new ArgumentOutOfRangeException(nameof(listing), listing, "Unknown listing."),
        };
        var ids = await _redis.SortedSetRangeByScoreAsync(key, count: limit, cancellationToken: cancellationToken).ConfigureAwait(false);
        var entries = await Task.WhenAll(ids.Select(id => GetAsync(id, cancellationToken))).ConfigureAwait(false);
        return entries.OfType<RunQueueEntry>().ToArray();
    }

    private Task<bool> RemoveAsync(RunLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return RemoveCoreAsync(lease, cancellationToken);
    }

    private async Task<bool> RemoveCoreAsync(RunLease lease, CancellationToken cancellationToken)
    {
        var reply = await RunAsync(RunQueueScripts.Remove, [_leases, _workers, RunKey(lease.RunId)], [lease.RunId, lease.Token], cancellationToken).ConfigureAwait(false);
        return reply.AsInt64() == 1;
    }

    private RunQueueEntry ToEntry(string runId, IReadOnlyDictionary<string, string> fields)
    {
        string? Text(string name) => fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        long Number(string name) => Text(name) is { } value ? long.Parse(value, CultureInfo.InvariantCulture) : 0;
        var due = FromMs(Number("due"));
        var state = Text("state") switch
        {
            "leased" => RunQueueState.Leased,
            "paused" => RunQueueState.Paused,
            "dead" => RunQueueState.DeadLettered,
            _ => due > _time.GetUtcNow() ? RunQueueState.Scheduled : RunQueueState.Queued,
        };
        return new RunQueueEntry(runId, state, due, (int)Number("failures"), (int)Number("leases"), Text("worker"),
            Text("until") is null ? null : FromMs(Number("until")), Text("request"), Text("error"), FromMs(Number("enqueued")));
    }

    private Task<RedisReply> RunAsync(RedisScript script, string[] keys, RedisArg[] args, CancellationToken cancellationToken) =>
        script.EvaluateAsync(_redis, keys, args, cancellationToken);

    private string RunKey(string runId) => _prefix + "run:" + runId;

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private long LeaseMs() => (long)Options.LeaseDuration.TotalMilliseconds;

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static void CheckRunId(string runId) => ArgumentException.ThrowIfNullOrWhiteSpace(runId);
}
