using System.Text.Json;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Storage;

/// <summary>
/// Dataset summaries cached in Redis. Blobs stay the truth: every failure here is logged and treated as a miss,
/// and every write to a dataset drops its entry.
/// </summary>
public sealed partial class SummaryCache(IRedisClient redis, IOptions<DatasetOptions> options, ILogger<SummaryCache> logger)
{
    private static readonly TimeSpan CommandBudget = TimeSpan.FromSeconds(1);
    private readonly TimeSpan _ttl = options.Value.SummaryCacheTtl;

    public static string Key(string datasetId) => $"datasets:summary:{datasetId}";

    public async Task<DatasetSummary?> GetAsync(string datasetId, CancellationToken cancellationToken)
    {
        var json = await TryAsync(ct => redis.GetAsync(Key(datasetId), ct), cancellationToken);
        return json is null ? null : JsonSerializer.Deserialize<DatasetSummary>(json, StorageJson.Options);
    }

    public Task SetAsync(DatasetSummary summary, CancellationToken cancellationToken) =>
        TryAsync(ct => redis.SetAsync(Key(summary.Id), JsonSerializer.Serialize(summary, StorageJson.Options), _ttl, cancellationToken: ct),
            cancellationToken);

    public Task InvalidateAsync(string datasetId) =>
        TryAsync(ct => redis.DeleteAsync([Key(datasetId)], ct), CancellationToken.None);

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
