namespace AceTrainer.ServiceDefaults.Redis;

public enum ListEnd { Left, Right }

public static partial class RedisCommands
{
    /// <summary>LPUSH; returns the list length after the push.</summary>
    public static async Task<long> ListLeftPushAsync(this IRedisClient client, string key, params RedisArg[] values) =>
        (await client.ExecuteAsync("LPUSH", [key, .. values]).ConfigureAwait(false)).AsInt64();

    /// <summary>RPUSH; returns the list length after the push.</summary>
    public static async Task<long> ListRightPushAsync(this IRedisClient client, string key, params RedisArg[] values) =>
        (await client.ExecuteAsync("RPUSH", [key, .. values]).ConfigureAwait(false)).AsInt64();

    public static async Task<string?> ListLeftPopAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("LPOP", [key], cancellationToken).ConfigureAwait(false)).AsString();

    public static async Task<string?> ListRightPopAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("RPOP", [key], cancellationToken).ConfigureAwait(false)).AsString();

    /// <summary>LRANGE with inclusive indexes (negative counts from the end).</summary>
    public static async Task<IReadOnlyList<string>> ListRangeAsync(this IRedisClient client, string key, long start = 0, long stop = -1, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("LRANGE", [key, start, stop], cancellationToken).ConfigureAwait(false)).Items.Select(i => i.AsString()!).ToArray();

    public static async Task<long> ListLengthAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("LLEN", [key], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>LMOVE: atomically pops from one end of <paramref name="source"/> and pushes onto <paramref name="destination"/>; null when the source is empty.</summary>
    public static async Task<string?> ListMoveAsync(this IRedisClient client, string source, string destination, ListEnd from, ListEnd to, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("LMOVE", [source, destination, EndName(from), EndName(to)], cancellationToken).ConfigureAwait(false)).AsString();

    private static string EndName(ListEnd end) => end == ListEnd.Left ? "LEFT" : "RIGHT";
}
