using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>PINGs the Redis connection registered under the check's name, with a 2 s timeout.</summary>
public sealed class RedisHealthCheck(IServiceProvider services) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = services.GetKeyedService<IRedisClient>(context.Registration.Name) ?? services.GetRequiredService<IRedisClient>();
        if (client is RedisClient { IsConnected: false, LastConnectionFailure: { } failure })
        {
            return HealthCheckResult.Unhealthy($"redis unreachable: {failure.Message}");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await client.PingAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"redis unreachable: no PONG within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisServerException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"redis unreachable: {ex.Message}");
        }
    }
}
