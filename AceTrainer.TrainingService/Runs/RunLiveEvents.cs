using System.Globalization;
using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.ServiceDefaults.Runs;

namespace AceTrainer.TrainingService.Runs;

/// <summary>
/// The live side of runs in Redis (names in <see cref="RunChannels"/>): each event goes into the run's capped stream and
/// out on its channel in one script, so a watcher that reads the stream and then listens misses nothing (ids order
/// both). Step events also update the run's progress hash, which the API merges into the run record.
/// </summary>
public sealed class RunLiveEvents(IRedisClient redis)
{
    /// KEYS: stream, progress. ARGV: json, cap, channel, then progress field/value pairs (none for non-step events).
    private static readonly RedisScript Publish = new("""
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
        redis.call('PUBLISH', ARGV[3], id .. '\n' .. ARGV[1])
        if #ARGV > 3 then redis.call('HSET', KEYS[2], unpack(ARGV, 4)) end
        return id
        """);

    public static string ProgressKey(string runId) => $"{RunChannels.Prefix}{runId}:progress";

    /// <summary>Writes the event; returns its stream id.</summary>
    public async Task<string> PublishAsync(string runId, RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.Serialize(runEvent, JsonDefaults.Options);
        var args = new List<RedisArg> { json, RunChannels.StreamCap, RunChannels.Channel(runId) };
        if (runEvent.Step is { } s)
        {
            foreach (var (field, value) in new (string, object)[]
                     {
                         ("step", s.Step), ("totalSteps", s.TotalSteps), ("epoch", s.Epoch), ("loss", s.Loss),
                         ("samplesPerSecond", s.SamplesPerSecond), ("etaSeconds", s.EtaSeconds), ("updatedAt", runEvent.Time.ToUnixTimeMilliseconds()),
                     })
            {
                args.Add(field);
                args.Add(Convert.ToString(value, CultureInfo.InvariantCulture)!);
            }
        }
        var reply = await Publish.EvaluateAsync(redis, [RunChannels.Stream(runId), ProgressKey(runId)], args, cancellationToken);
        return reply.AsString()!;
    }

    /// <summary>The last step a worker reported, or null before the first step (or after Redis lost it).</summary>
    public async Task<RunProgress?> GetProgressAsync(string runId, CancellationToken cancellationToken = default)
    {
        var fields = await redis.HashGetAllAsync(ProgressKey(runId), cancellationToken);
        if (!fields.TryGetValue("step", out var step)) return null;
        double? Number(string name) => fields.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : null;
        return new RunProgress(
            long.Parse(step, CultureInfo.InvariantCulture),
            (long)(Number("totalSteps") ?? 0),
            (long)(Number("epoch") ?? 0),
            Number("loss"),
            Number("samplesPerSecond"),
            Number("etaSeconds"),
            Number("updatedAt") is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null);
    }

    /// <summary>Entries after <paramref name="afterId"/> ("0-0" for all), oldest first.</summary>
    public async Task<IReadOnlyList<RunEventEntry>> ReadAsync(string runId, string afterId, int? count = null, CancellationToken cancellationToken = default)
    {
        var entries = await redis.StreamRangeAsync(RunChannels.Stream(runId), "(" + afterId, "+", count, cancellationToken);
        return entries.Select(Parse).OfType<RunEventEntry>().ToList();
    }

    /// <summary>The newest id, or "0-0" when the stream is empty.</summary>
    public async Task<string> NewestIdAsync(string runId, CancellationToken cancellationToken = default) =>
        (await redis.StreamReverseRangeAsync(RunChannels.Stream(runId), "+", "-", 1, cancellationToken)).FirstOrDefault()?.Id ?? "0-0";

    /// <summary>
    /// The oldest id still in the stream when the cap has removed older entries (XINFO STREAM: entries-added exceeds
    /// length), else null. A reader whose last id is older than it may have missed entries.
    /// </summary>
    public async Task<string?> FirstIdAfterTrimAsync(string runId, CancellationToken cancellationToken = default)
    {
        RedisReply info;
        try
        {
            info = await redis.ExecuteAsync("XINFO", ["STREAM", RunChannels.Stream(runId)], cancellationToken);
        }
        catch (RedisServerException)
        {
            return null; // no such stream
        }
        var fields = new Dictionary<string, RedisReply>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < info.Items.Count; i += 2) fields[info.Items[i].AsString() ?? ""] = info.Items[i + 1];
        var added = fields.TryGetValue("entries-added", out var a) ? a.AsInt64() : 0;
        var length = fields.TryGetValue("length", out var l) ? l.AsInt64() : 0;
        return added > length && fields.TryGetValue("first-entry", out var first) && first.Items.Count > 0 ? first.Items[0].AsString() : null;
    }

    public async Task DeleteAsync(string runId, CancellationToken cancellationToken = default) =>
        await redis.DeleteAsync([RunChannels.Stream(runId), ProgressKey(runId)], cancellationToken);

    private static RunEventEntry? Parse(StreamEntry entry) =>
        entry.Fields.TryGetValue("e", out var json) && JsonSerializer.Deserialize<RunEvent>(json, JsonDefaults.Options) is { } e
            ? new RunEventEntry(entry.Id, e)
            : null;

    /// <summary>Orders stream ids ("ms-seq") as Redis does.</summary>
    public static int CompareIds(string a, string b)
    {
        static (long, long) Split(string id)
        {
            var dash = id.IndexOf('-');
            return dash < 0
                ? (long.Parse(id, CultureInfo.InvariantCulture), 0)
                : (long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture));
        }
        return Split(a).CompareTo(Split(b));
    }
}
