using System.Security.Cryptography;
using System.Text.Json;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Storage;

/// <summary>What a lookup found: the summary, or on a miss the generation to hand back to <see cref="SummaryCache.SetAsync"/>.</summary>
public sealed record CachedSummary(DatasetSummary? Summary, string Generation);

/// <summary>
/// Dataset summaries cached in Redis. Blobs stay the truth: every failure here is logged and treated as a miss,
/// and every write to a dataset drops its entry.
/// </summary>
/// <remarks>
/// Each write also gives the dataset a new random generation. A summary computed from blobs is stored only if the
/// generation is still the one seen before reading them, so a reader that raced a write cannot cache the old counts.
/// </remarks>
public sealed partial class SummaryCache(IRedisClient redis, IOptions<DatasetOptions> options, ILogger<SummaryCache> logger)
{
    private static readonly TimeSpan CommandBudget = TimeSpan.FromSeconds(1);

    private static readonly RedisScript SetIfGeneration = new("""
        if (redis.call('GET', KEYS[2]) or '') ~= ARGV[2] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        return 1
        """);

    private static readonly RedisScript NewGeneration = new("""
        redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
        redis.call('DEL', KEYS[1])
        return 1
        """);

    private readonly TimeSpan _ttl = options.Value.SummaryCacheTtl;

    public static string Key(string datasetId) => $"datasets:summary:{datasetId}";

    public static string GenerationKey(string datasetId) => $"datasets:generation:{datasetId}";

    public async Task<CachedSummary> GetAsync(string datasetId, CancellationToken cancellationToken)
    {
        var values = await TryAsync(ct => redis.GetManyAsync([Key(datasetId), GenerationKey(datasetId)], ct), cancellationToken);
        // Redis unreachable: a generation no stored one can equal, so nothing is cached.
        if (values is null)
        {
            return new CachedSummary(null, "unavailable");
        }
        var summary = values[0] is { } json ? JsonSerializer.Deserialize<DatasetSummary>(json, StorageJson.Options) : null;
        return new CachedSummary(summary, values[1] ?? "");
    }

    public Task SetAsync(DatasetSummary summary, string generation, CancellationToken cancellationToken) =>
        TryAsync(ct => SetIfGeneration.EvaluateAsync(redis, [Key(summary.Id), GenerationKey(summary.Id)],
            [JsonSerializer.Serialize(summary, StorageJson.Options), generation, (long)_ttl.TotalMilliseconds], ct), cancellationToken);

    public Task InvalidateAsync(string datasetId) =>
        TryAsync(ct => NewGeneration.EvaluateAsync(redis, [Key(datasetId), GenerationKey(datasetId)],
            [Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), (long)(_ttl.TotalMilliseconds * 2)], ct), CancellationToken.None);

    private async Task<T?> TryAsync<T>(Func<CancellationToken, Task<T>> command, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(CommandBudget);
        try
        {
            return await command(budget.Token);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisServerException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogCacheUnavailable(logger, ex.Message);
            return default;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Dataset summary cache unavailable, reading blobs instead: {Reason}")]
    private static partial void LogCacheUnavailable(ILogger logger, string reason);
}
