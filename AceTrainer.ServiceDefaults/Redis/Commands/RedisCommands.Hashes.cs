namespace AceTrainer.ServiceDefaults.Redis;

public static partial class RedisCommands
{
    /// <summary>HSET with several fields; returns how many fields were new.</summary>
    public static async Task<long> HashSetAsync(this IRedisClient client, string key, IEnumerable<KeyValuePair<string, RedisArg>> fields, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg> { key };
        foreach (var (field, value) in fields)
        {
            args.Add(field);
            args.Add(value);
        }
        if (args.Count == 1)
        {
            throw new ArgumentException("HSET needs at least one field.", nameof(fields));
        }
        return (await client.ExecuteAsync("HSET", args, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static Task<long> HashSetAsync(this IRedisClient client, string key, string field, RedisArg value, CancellationToken cancellationToken = default) =>
        client.HashSetAsync(key, [new KeyValuePair<string, RedisArg>(field, value)], cancellationToken);

    public static async Task<string?> HashGetAsync(this IRedisClient client, string key, string field, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("HGET", [key, field], cancellationToken).ConfigureAwait(false)).AsString();

    /// <summary>HGETALL as a dictionary (a RESP3 map and a RESP2 flat array decode the same).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        ToDictionary((await client.ExecuteAsync("HGETALL", [key], cancellationToken).ConfigureAwait(false)).Items);

    /// <summary>HDEL; returns how many fields existed.</summary>
    public static async Task<long> HashDeleteAsync(this IRedisClient client, string key, params string[] fields) =>
        (await client.ExecuteAsync("HDEL", ToArgs(fields, key)).ConfigureAwait(false)).AsInt64();

    public static async Task<long> HashIncrementAsync(this IRedisClient client, string key, string field, long by = 1, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("HINCRBY", [key, field, by], cancellationToken).ConfigureAwait(false)).AsInt64();

    internal static Dictionary<string, string> ToDictionary(IReadOnlyList<RedisReply> flatPairs)
    {
        var result = new Dictionary<string, string>(flatPairs.Count / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < flatPairs.Count; i += 2)
        {
            result[flatPairs[i].AsString()!] = flatPairs[i + 1].AsString() ?? "";
        }
        return result;
    }
}
