using System.Globalization;

namespace AceTrainer.ServiceDefaults.Redis;

public sealed record SortedSetEntry(string Member, double Score);

public static partial class RedisCommands
{
    /// <summary>ZADD; returns how many members were new.</summary>
    public static async Task<long> SortedSetAddAsync(this IRedisClient client, string key, IEnumerable<SortedSetEntry> entries, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg> { key };
        foreach (var entry in entries)
        {
            args.Add(entry.Score);
            args.Add(entry.Member);
        }
        return (await client.ExecuteAsync("ZADD", args, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static Task<long> SortedSetAddAsync(this IRedisClient client, string key, string member, double score, CancellationToken cancellationToken = default) =>
        client.SortedSetAddAsync(key, [new SortedSetEntry(member, score)], cancellationToken);

    /// <summary>ZRANGEBYSCORE min max [LIMIT offset count], members in score order (bounds inclusive).</summary>
    public static async Task<IReadOnlyList<string>> SortedSetRangeByScoreAsync(this IRedisClient client, string key,
        double min = double.NegativeInfinity, double max = double.PositiveInfinity, long offset = 0, long? count = null, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg> { key, ScoreBound(min), ScoreBound(max) };
        if (count is { } limit)
        {
            args.AddRange(["LIMIT", offset, limit]);
        }
        return (await client.ExecuteAsync("ZRANGEBYSCORE", args, cancellationToken).ConfigureAwait(false)).Items.Select(i => i.AsString()!).ToArray();
    }

    public static async Task<long> SortedSetRemoveAsync(this IRedisClient client, string key, params string[] members) =>
        (await client.ExecuteAsync("ZREM", ToArgs(members, key)).ConfigureAwait(false)).AsInt64();

    public static async Task<double?> SortedSetScoreAsync(this IRedisClient client, string key, string member, CancellationToken cancellationToken = default)
    {
        var reply = await client.ExecuteAsync("ZSCORE", [key, member], cancellationToken).ConfigureAwait(false);
        return reply.IsNull ? null : reply.AsDouble();
    }

    public static async Task<long> SortedSetLengthAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("ZCARD", [key], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>ZPOPMIN key count: the lowest-scored entries, removed.</summary>
    public static async Task<IReadOnlyList<SortedSetEntry>> SortedSetPopMinAsync(this IRedisClient client, string key, long count = 1, CancellationToken cancellationToken = default)
    {
        var flat = Flatten(await client.ExecuteAsync("ZPOPMIN", [key, count], cancellationToken).ConfigureAwait(false)).ToArray();
        var entries = new SortedSetEntry[flat.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new SortedSetEntry(flat[2 * i].AsString()!, flat[2 * i + 1].AsDouble());
        }
        return entries;
    }

    private static string ScoreBound(double value) => value switch
    {
        double.NegativeInfinity => "-inf",
        double.PositiveInfinity => "+inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
