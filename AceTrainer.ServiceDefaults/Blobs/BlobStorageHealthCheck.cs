using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>Healthy when an authenticated round trip to the blob service succeeds within a few seconds.</summary>
public sealed class BlobStorageHealthCheck : IHealthCheck
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    private readonly IBlobStore _store;
    private readonly TimeSpan _timeout;

    public BlobStorageHealthCheck(IBlobStore store)
        : this(store, DefaultTimeout)
    {
    }

    internal BlobStorageHealthCheck(IBlobStore store, TimeSpan timeout)
    {
        _store = store;
        _timeout = timeout;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            await _store.PingAsync(deadline.Token);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"blob storage unreachable: no answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"blob storage unreachable: {ex.Message}");
        }
    }
}
