using AceTrainer.ServiceDefaults.Health;

namespace AceTrainer.WebFrontend.SystemStatus;

/// <summary>What the System page shows: every service's state, and the worst of them as the overall state.</summary>
public sealed record SystemStatusSnapshot(DateTimeOffset At, string Overall, IReadOnlyList<ServiceStatus> Services)
{
    public static SystemStatusSnapshot Empty { get; } = new(DateTimeOffset.UnixEpoch, ServiceState.Waiting, []);
}

/// <summary>One service as last heard: its state, why, and its dependencies' checks.</summary>
public sealed record ServiceStatus(
    string Name,
    string State,
    string? Reason,
    IReadOnlyList<DependencyHealth> Checks,
    DateTimeOffset? LastSeen,
    DateTimeOffset? StartedAt,
    string? Instance);

/// <summary>The states a service can be shown in, best first.</summary>
public static class ServiceState
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Waiting = "waiting";
    public const string Unhealthy = "unhealthy";
    public const string Down = "down";

    private static readonly string[] BestFirst = [Healthy, Degraded, Waiting, Unhealthy, Down];

    public static string FromHealth(string healthStatus) => healthStatus switch
    {
        "Healthy" => Healthy,
        "Degraded" => Degraded,
        _ => Unhealthy,
    };

    public static string Worst(IEnumerable<string> states) =>
        states.Select(s => Array.IndexOf(BestFirst, s)).DefaultIfEmpty(Array.IndexOf(BestFirst, Waiting)).Max() is var i
            ? BestFirst[i]
            : Waiting;
}
