using System.Globalization;
using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.ServiceDefaults.Runs;

namespace AceTrainer.TrainingService.Runs;

/// <summary>
/// The live side of runs in Redis (names in <see cref="RunChannels"/>): events written through <see cref="RunEventLog"/>,
/// read back for history and polling; step events also update the run's progress hash, which the API merges into the record.
/// </summary>
public sealed class RunLiveEvents(IRedisClient redis)
{
    /// <summary>Writes the event (step events also update the progress hash); returns its stream id.</summary>
    public Task<string> PublishAsync(string runId, RunEvent runEvent, CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.Serialize(runEvent, JsonDefaults.Options);
        var progress = runEvent.Step is not { } s ? null : new (string Field, object Value)[]
        {
            ("step", s.Step), ("totalSteps", s.TotalSteps), ("epoch", s.Epoch), ("loss", s.Loss),
            ("samplesPerSecond", s.SamplesPerSecond), ("etaSeconds", s.EtaSeconds), ("updatedAt", runEvent.Time.ToUnixTimeMilliseconds()),
        }.Select(p => KeyValuePair.Create(p.Field, Convert.ToString(p.Value, CultureInfo.InvariantCulture)!)).ToList();
        return RunEventLog.AppendAsync(redis, runId, json, progress, cancellationToken);
    }

    /// <summary>The last step a worker reported, or null before the first step (or after Redis lost it).</summary>
    public async Task<RunProgress?> GetProgressAsync(string runId, CancellationToken cancellationToken = default)
    {
        var fields = await redis.HashGetAllAsync(RunChannels.Progress(runId), cancellationToken);
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
        await redis.DeleteAsync([RunChannels.Stream(runId), RunChannels.Progress(runId)], cancellationToken);

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
