namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>One stream entry; <see cref="Fields"/> is empty for an entry deleted while still pending.</summary>
public sealed record StreamEntry(string Id, IReadOnlyDictionary<string, string> Fields);

/// <summary>XAUTOCLAIM's answer: the cursor to continue from ("0-0" when done), the claimed entries and ids that no longer exist.</summary>
public sealed record StreamAutoClaimResult(string NextStartId, IReadOnlyList<StreamEntry> Claimed, IReadOnlyList<string> DeletedIds);

// Consumer-group reads never send BLOCK: a blocked command would hold the shared, pipelined connection,
// and every other caller's reply would queue behind it. Poll with COUNT instead (or use a dedicated client).
public static partial class RedisCommands
{
    /// <summary>XADD key [MAXLEN ~ cap] * field value ...; returns the new entry id.</summary>
    public static async Task<string> StreamAddAsync(this IRedisClient client, string key, IEnumerable<KeyValuePair<string, RedisArg>> fields,
        long? approximateMaxLength = null, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg> { key };
        if (approximateMaxLength is { } cap)
        {
            args.AddRange(["MAXLEN", "~", cap]);
        }
        args.Add("*");
        foreach (var (field, value) in fields)
        {
            args.Add(field);
            args.Add(value);
        }
        return (await client.ExecuteAsync("XADD", args, cancellationToken).ConfigureAwait(false)).AsString()!;
    }

    /// <summary>XGROUP CREATE key group startId MKSTREAM; returns false when the group already existed (BUSYGROUP).</summary>
    public static async Task<bool> StreamCreateGroupAsync(this IRedisClient client, string key, string group, string startId = "$", CancellationToken cancellationToken = default)
    {
        try
        {
            await client.ExecuteAsync("XGROUP", ["CREATE", key, group, startId, "MKSTREAM"], cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RedisServerException ex) when (ex.Prefix == "BUSYGROUP")
        {
            return false;
        }
    }

    /// <summary>XREADGROUP GROUP g c COUNT n STREAMS key id (non-blocking). Id ">" reads new entries; "0" re-reads this consumer's pending ones.</summary>
    public static async Task<IReadOnlyList<StreamEntry>> StreamReadGroupAsync(this IRedisClient client, string key, string group, string consumer,
        int count, string id = ">", CancellationToken cancellationToken = default)
    {
        var reply = await client.ExecuteAsync("XREADGROUP", ["GROUP", group, consumer, "COUNT", count, "STREAMS", key, id], cancellationToken).ConfigureAwait(false);
        if (reply.IsNull || reply.Items.Count == 0)
        {
            return [];
        }
        // RESP3: a map flattened to [key, entries]; RESP2: [[key, entries]].
        var entries = reply.Kind == RedisReplyKind.Map ? reply.Items[1] : reply.Items[0].Items[1];
        return ToEntries(entries);
    }

    /// <summary>XACK; returns how many ids were acknowledged.</summary>
    public static async Task<long> StreamAcknowledgeAsync(this IRedisClient client, string key, string group, params string[] ids) =>
        (await client.ExecuteAsync("XACK", ToArgs(ids, key, group)).ConfigureAwait(false)).AsInt64();

    /// <summary>XAUTOCLAIM key group consumer minIdle start COUNT n: takes over entries other consumers left pending too long.</summary>
    public static async Task<StreamAutoClaimResult> StreamAutoClaimAsync(this IRedisClient client, string key, string group, string consumer,
        TimeSpan minIdle, string startId = "0-0", int count = 100, CancellationToken cancellationToken = default)
    {
        var reply = await client.ExecuteAsync("XAUTOCLAIM",
            [key, group, consumer, (long)minIdle.TotalMilliseconds, startId, "COUNT", count], cancellationToken).ConfigureAwait(false);
        var deleted = reply.Items.Count > 2 ? reply.Items[2].Items.Select(i => i.AsString()!).ToArray() : [];
        return new StreamAutoClaimResult(reply.Items[0].AsString()!, ToEntries(reply.Items[1]), deleted);
    }

    /// <summary>XRANGE key start end [COUNT n], oldest first ("-" and "+" are the extremes).</summary>
    public static async Task<IReadOnlyList<StreamEntry>> StreamRangeAsync(this IRedisClient client, string key, string start = "-", string end = "+",
        int? count = null, CancellationToken cancellationToken = default) =>
        ToEntries(await client.ExecuteAsync("XRANGE", RangeArgs(key, start, end, count), cancellationToken).ConfigureAwait(false));

    /// <summary>XREVRANGE key end start [COUNT n], newest first.</summary>
    public static async Task<IReadOnlyList<StreamEntry>> StreamReverseRangeAsync(this IRedisClient client, string key, string end = "+", string start = "-",
        int? count = null, CancellationToken cancellationToken = default) =>
        ToEntries(await client.ExecuteAsync("XREVRANGE", RangeArgs(key, end, start, count), cancellationToken).ConfigureAwait(false));

    /// <summary>XTRIM key MAXLEN [~] n; returns how many entries were removed.</summary>
    public static async Task<long> StreamTrimAsync(this IRedisClient client, string key, long maxLength, bool approximate = false, CancellationToken cancellationToken = default)
    {
        RedisArg[] args = approximate ? [key, "MAXLEN", "~", maxLength] : [key, "MAXLEN", maxLength];
        return (await client.ExecuteAsync("XTRIM", args, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static async Task<long> StreamLengthAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("XLEN", [key], cancellationToken).ConfigureAwait(false)).AsInt64();

    private static RedisArg[] RangeArgs(string key, string from, string to, int? count) =>
        count is { } n ? [key, from, to, "COUNT", n] : [key, from, to];

    private static StreamEntry[] ToEntries(RedisReply entries) =>
        entries.Items.Select(e => new StreamEntry(e.Items[0].AsString()!, e.Items[1].IsNull ? new Dictionary<string, string>() : ToDictionary(e.Items[1].Items))).ToArray();
}
