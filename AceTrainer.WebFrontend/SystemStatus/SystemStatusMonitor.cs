using System.Collections.Concurrent;
using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Health;
using AceTrainer.ServiceDefaults.Heartbeats;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AceTrainer.WebFrontend.SystemStatus;

/// <summary>
/// Listens to the services' heartbeats on Redis, checks the portal's own dependencies, and pushes
/// the combined status to every System page through the hub once a second. A service whose
/// heartbeats stop (it died, or Redis did) turns "down" after <see cref="ServiceHeartbeat.StaleAfter"/>.
/// </summary>
public sealed class SystemStatusMonitor(
    ServiceIdentity self,
    IConfiguration configuration,
    IRedisSubscriber subscriber,
    HealthCheckService health,
    IHubContext<SystemHub> hub,
    TimeProvider time,
    ILogger<SystemStatusMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan PushInterval = TimeSpan.FromSeconds(1);

    // Latest heartbeat per service; written by the subscription handler, read by the push loop.
    private readonly ConcurrentDictionary<string, ServiceHeartbeat> _latest = new(StringComparer.OrdinalIgnoreCase);

    // Last snapshot pushed; replaced whole (never mutated) so readers on other threads see a consistent one.
    private volatile SystemStatusSnapshot _current = SystemStatusSnapshot.Empty;

    public SystemStatusSnapshot Current => _current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await subscriber.SubscribeWhenReachableAsync(ServiceHeartbeat.Channel, OnHeartbeat, pattern: false, logger, time, stoppingToken);
        using var timer = new PeriodicTimer(PushInterval, time);
        do
        {
            var own = await CheckSelfAsync(stoppingToken);
            _current = Compose(own);
            await hub.Clients.All.SendAsync(SystemHub.StatusMethod, _current, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private Task OnHeartbeat(RedisMessage message)
    {
        var beat = JsonSerializer.Deserialize<ServiceHeartbeat>(message.Payload.Span, JsonDefaults.Options);
        if (beat is not null) _latest[beat.Service] = beat;
        return Task.CompletedTask;
    }

    private async Task<ServiceStatus> CheckSelfAsync(CancellationToken cancellationToken)
    {
        var summary = HealthSummary.From(self.Name, await health.CheckHealthAsync(cancellationToken));
        var failed = summary.Checks.Where(c => c.Status != "Healthy").Select(c => c.Description ?? c.Name);
        return new ServiceStatus(self.Name, ServiceState.FromHealth(summary.Status), string.Join("; ", failed) is { Length: > 0 } r ? r : null,
            summary.Checks, time.GetUtcNow(), self.StartedAt, self.InstanceId);
    }

    private SystemStatusSnapshot Compose(ServiceStatus own)
    {
        var now = time.GetUtcNow();
        // Services the AppHost (or Aspire) told us about, plus any that sent a heartbeat.
        var names = configuration.GetSection("services").GetChildren().Select(c => c.Key)
            .Concat(_latest.Keys)
            .Where(n => !n.Equals(self.Name, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase);

        List<ServiceStatus> services = [own];
        foreach (var name in names)
        {
            if (!_latest.TryGetValue(name, out var beat))
            {
                services.Add(new ServiceStatus(name, ServiceState.Waiting, "no heartbeat received yet", [], null, null, null));
                continue;
            }
            var silence = now - beat.SentAt;
            var stale = silence > ServiceHeartbeat.StaleAfter;
            var failed = beat.Checks.Where(c => c.Status != "Healthy").Select(c => c.Description ?? c.Name);
            services.Add(new ServiceStatus(
                name,
                stale ? ServiceState.Down : ServiceState.FromHealth(beat.Status),
                stale ? $"no heartbeat for {silence.TotalSeconds:0} s" : string.Join("; ", failed) is { Length: > 0 } r ? r : null,
                beat.Checks, beat.SentAt, beat.StartedAt, beat.Instance));
        }
        return new SystemStatusSnapshot(now, ServiceState.Worst(services.Select(s => s.State)), services);
    }
}
