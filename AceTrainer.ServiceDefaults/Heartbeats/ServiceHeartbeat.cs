using AceTrainer.ServiceDefaults.Health;

namespace AceTrainer.ServiceDefaults.Heartbeats;

/// <summary>What each service publishes on <see cref="Channel"/> every <see cref="Interval"/>: it is alive, and how its dependencies are.</summary>
public sealed record ServiceHeartbeat(
    string Service,
    string Instance,
    string Status,
    IReadOnlyList<DependencyHealth> Checks,
    DateTimeOffset StartedAt,
    DateTimeOffset SentAt)
{
    public const string Channel = "acetrainer:heartbeats";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>A service silent for this long is shown as down (three missed beats).</summary>
    public static readonly TimeSpan StaleAfter = Interval * 3;
}
