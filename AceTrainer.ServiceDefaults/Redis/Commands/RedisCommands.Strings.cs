namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>Typed Redis commands over <see cref="IRedisClient.ExecuteAsync"/>, one partial file per data type.</summary>
public static partial class RedisCommands
{
    public static async Task<string> PingAsync(this IRedisClient client, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("PING", [], cancellationToken).ConfigureAwait(false)).AsString()!;

    public static async Task<string?> GetAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("GET", [key], cancellationToken).ConfigureAwait(false)).AsString();

    public static async Task<byte[]?> GetBytesAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("GET", [key], cancellationToken).ConfigureAwait(false)).AsBytes();

    /// <summary>SET with optional expiry and NX/XX; returns false when the NX/XX condition prevented the write.</summary>
    public static async Task<bool> SetAsync(this IRedisClient client, string key, RedisArg value, TimeSpan? expiry = null,
        SetCondition condition = SetCondition.Always, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg>(5) { key, value };
        if (expiry is { } ttl)
        {
            args.Add("PX");
            args.Add((long)Math.Max(1, ttl.TotalMilliseconds));
        }
        if (condition != SetCondition.Always)
        {
            args.Add(condition == SetCondition.IfNotExists ? "NX" : "XX");
        }
        var reply = await client.ExecuteAsync("SET", args, cancellationToken).ConfigureAwait(false);
        return !reply.IsNull;
    }

    public static async Task<long> IncrementAsync(this IRedisClient client, string key, long by = 1, CancellationToken cancellationToken = default) =>
        (by == 1
            ? await client.ExecuteAsync("INCR", [key], cancellationToken).ConfigureAwait(false)
            : await client.ExecuteAsync("INCRBY", [key, by], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>DEL; returns how many of the keys existed.</summary>
    public static async Task<long> DeleteAsync(this IRedisClient client, params string[] keys) =>
        (await client.ExecuteAsync("DEL", ToArgs(keys)).ConfigureAwait(false)).AsInt64();

    public static async Task<long> DeleteAsync(this IRedisClient client, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        (await client.ExecuteAsync("DEL", ToArgs(keys), cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>EXISTS; returns how many of the keys exist.</summary>
    public static async Task<long> ExistsAsync(this IRedisClient client, params string[] keys) =>
        (await client.ExecuteAsync("EXISTS", ToArgs(keys)).ConfigureAwait(false)).AsInt64();

    /// <summary>EXPIRE (millisecond precision via PEXPIRE); false when the key does not exist.</summary>
    public static async Task<bool> ExpireAsync(this IRedisClient client, string key, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("PEXPIRE", [key, (long)Math.Max(1, ttl.TotalMilliseconds)], cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>PTTL: null when the key has no expiry or does not exist.</summary>
    public static async Task<TimeSpan?> TimeToLiveAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default)
    {
        var ms = (await client.ExecuteAsync("PTTL", [key], cancellationToken).ConfigureAwait(false)).AsInt64();
        return ms < 0 ? null : TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>MGET: one value (or null) per key, in key order.</summary>
    public static async Task<IReadOnlyList<string?>> GetManyAsync(this IRedisClient client, IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("MGET", ToArgs(keys), cancellationToken).ConfigureAwait(false)).Items.Select(i => i.AsString()).ToArray();

    /// <summary>PUBLISH; returns how many subscribers received the message.</summary>
    public static async Task<long> PublishAsync(this IRedisClient client, string channel, RedisArg message, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("PUBLISH", [channel, message], cancellationToken).ConfigureAwait(false)).AsInt64();

    internal static RedisArg[] ToArgs(IReadOnlyList<string> values, params RedisArg[] prefix)
    {
        var args = new RedisArg[prefix.Length + values.Count];
        prefix.CopyTo(args, 0);
        for (var i = 0; i < values.Count; i++)
        {
            args[prefix.Length + i] = values[i];
        }
        return args;
    }

    /// <summary>Flattens RESP3 nested pairs ([[a, b], [c, d]]) and RESP2 flat lists ([a, b, c, d]) to the flat form.</summary>
    internal static IEnumerable<RedisReply> Flatten(RedisReply reply) =>
        reply.Items.SelectMany(item => item.IsAggregate ? item.Items : [item]);
}

public enum SetCondition { Always, IfNotExists, IfExists }
