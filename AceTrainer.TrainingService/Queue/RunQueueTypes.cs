namespace AceTrainer.TrainingService.Queue;

/// <summary>Settings of a <see cref="RunQueue"/>; every service sharing a queue must use the same <see cref="KeyPrefix"/>.</summary>
public sealed record RunQueueOptions
{
    /// <summary>Prefix of every Redis key the queue owns (see <see cref="RunQueue"/> for the layout).</summary>
    public string KeyPrefix { get; init; } = "acetrainer:runqueue:";

    /// <summary>How long a lease lasts without a heartbeat; a worker should beat at a fraction of this (e.g. a third).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts in all (the first included) before a transiently failing run is dead-lettered.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry; it doubles with every further failure.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of the retry delay.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Expired leases (worker died or hung) after which a run is dead-lettered rather than handed to the next worker.</summary>
    public int MaxExpiredLeases { get; init; } = 3;

    /// <summary>How often <see cref="RunQueueSweeper"/> takes back expired leases.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(15);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(KeyPrefix, nameof(KeyPrefix));
        ArgumentOutOfRangeException.ThrowIfLessThan(LeaseDuration, TimeSpan.FromMilliseconds(1), nameof(LeaseDuration));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxExpiredLeases, 1, nameof(MaxExpiredLeases));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffBase, TimeSpan.Zero, nameof(BackoffBase));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffMax, BackoffBase, nameof(BackoffMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(SweepInterval, TimeSpan.FromMilliseconds(1), nameof(SweepInterval));
    }
}

/// <summary>A worker's hold on one run. <see cref="Token"/> identifies this lease: once the run is taken back, calls with it are rejected.</summary>
/// <param name="Attempt">1 for the first try; a failure adds one, an expired lease does not.</param>
public sealed record RunLease(string RunId, string WorkerId, int Attempt, string Token, DateTimeOffset LeasedUntil);

/// <summary>What a heartbeat tells the worker to do next.</summary>
public enum HeartbeatSignal
{
    /// <summary>Keep training; the lease was extended.</summary>
    Continue,
    /// <summary>Someone cancelled the run: stop and call <see cref="RunQueue.ReleaseCancelledAsync"/>.</summary>
    Cancel,
    /// <summary>Someone paused the run: checkpoint, stop and call <see cref="RunQueue.ReleasePausedAsync"/>.</summary>
    Pause,
    /// <summary>The lease is gone (expired and taken back, or completed elsewhere): stop at once, write nothing more.</summary>
    Lost,
}

/// <summary>Where a failed run went.</summary>
public enum FailureOutcome
{
    /// <summary>Back on the schedule, due at <see cref="FailResult.RetryAt"/>.</summary>
    Retrying,
    /// <summary>In the dead-letter set with its error (non-transient, or attempts used up).</summary>
    DeadLettered,
    /// <summary>A pause was requested: parked as paused (the retry waits for a resume).</summary>
    Paused,
    /// <summary>A cancel was requested: removed.</summary>
    Cancelled,
    /// <summary>The lease was stale; nothing changed.</summary>
    LeaseLost,
}

/// <summary>What one sweep did: leases taken back in all, and the runs among them that were dead-lettered with <see cref="Error"/>.</summary>
public sealed record SweepResult(int TakenBack, IReadOnlyList<string> DeadLettered, string Error);

/// <summary>Told when the sweep dead-lettered a run, so the service can mark it failed where people look.</summary>
public interface IRunQueueObserver
{
    Task OnDeadLetteredAsync(string runId, string error, CancellationToken cancellationToken);
}

public sealed record FailResult(FailureOutcome Outcome, int Failures, DateTimeOffset? RetryAt);

public enum CancelResult { NotFound, Removed, Flagged }

public enum GiveBackResult { LeaseLost, Queued, Paused, Cancelled }

public enum PauseResult { NotFound, Paused, AlreadyPaused, Flagged, NotPausable }

public enum ResumeResult { NotFound, Resumed, Unflagged, NotPaused }

/// <summary>A run's place in the queue as the portal shows it.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(RunQueueStateJsonConverter))]
public enum RunQueueState { Queued, Scheduled, Leased, Paused, DeadLettered }

/// <summary>Queue states on the wire in lower camel case ("deadLettered"), like run states.</summary>
public sealed class RunQueueStateJsonConverter()
    : System.Text.Json.Serialization.JsonStringEnumConverter<RunQueueState>(System.Text.Json.JsonNamingPolicy.CamelCase);

/// <summary>Which listing <see cref="RunQueue.ListAsync"/> reads, in the order given.</summary>
public enum RunQueueListing
{
    /// <summary>Queued and scheduled runs, earliest due first.</summary>
    Waiting,
    /// <summary>Leased runs, earliest lease expiry first.</summary>
    Leased,
    /// <summary>Paused runs, earliest paused first.</summary>
    Paused,
    /// <summary>Dead-lettered runs, oldest first.</summary>
    DeadLettered,
}

/// <summary>A snapshot of one run's queue record.</summary>
/// <param name="DueAt">When it is (or was) due; for a paused run, when it is due once resumed.</param>
/// <param name="Failures">Failed attempts so far.</param>
/// <param name="Leases">Times it was leased (expired leases included).</param>
/// <param name="PendingRequest">"cancel" or "pause" while a leased run has not yet acted on it.</param>
/// <param name="LastError">The last failure's error, if any.</param>
public sealed record RunQueueEntry(
    string RunId,
    RunQueueState State,
    DateTimeOffset DueAt,
    int Failures,
    int Leases,
    string? WorkerId,
    DateTimeOffset? LeasedUntil,
    string? PendingRequest,
    string? LastError,
    DateTimeOffset EnqueuedAt);
