namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>Exponential reconnect delay with "equal jitter": half fixed, half random, so many clients do not reconnect in lockstep.</summary>
internal static class RedisBackoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max)
    {
        var exponential = min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
