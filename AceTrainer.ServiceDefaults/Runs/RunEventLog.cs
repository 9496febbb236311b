using AceTrainer.ServiceDefaults.Redis;

namespace AceTrainer.ServiceDefaults.Runs;

/// <summary>
/// The one writer of run events (the worker, and tests standing in for it): the event goes into the run's capped stream
/// and out on its channel in one script, so a watcher that reads the stream and then listens misses nothing (ids order
/// both). Optional field/value pairs are written to the run's progress hash in the same script.
/// </summary>
public static class RunEventLog
{
    /// KEYS: stream, progress. ARGV: json, cap, channel, then progress field/value pairs.
    private static readonly RedisScript AddAndPublish = new("""
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
        redis.call('PUBLISH', ARGV[3], id .. '\n' .. ARGV[1])
        if #ARGV > 3 then redis.call('HSET', KEYS[2], unpack(ARGV, 4)) end
        return id
        """);

    /// <summary>Appends and publishes the event JSON as given; returns its stream id.</summary>
    public static async Task<string> AppendAsync(IRedisClient redis, string runId, string json,
        IReadOnlyList<KeyValuePair<string, string>>? progress = null, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg> { json, RunChannels.StreamCap, RunChannels.Channel(runId) };
        foreach (var (field, value) in progress ?? [])
        {
            args.Add(field);
            args.Add(value);
        }
        var reply = await AddAndPublish.EvaluateAsync(redis, [RunChannels.Stream(runId), RunChannels.Progress(runId)], args, cancellationToken).ConfigureAwait(false);
        return reply.AsString() ?? throw new InvalidOperationException("XADD returned no id");
    }
}
