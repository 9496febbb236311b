using System.Text.Json;
using AceTrainer.ServiceDefaults.Health;
using AceTrainer.ServiceDefaults.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AceTrainer.ServiceDefaults.Heartbeats;

/// <summary>Runs the health checks every beat and publishes the result on Redis pub/sub for the portal's System page.</summary>
internal sealed class HeartbeatPublisher(
    ServiceIdentity identity,
    HealthCheckService health,
    IRedisClient redis,
    TimeProvider time,
    ILogger<HeartbeatPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ServiceHeartbeat.Interval, time);
        var failing = false;
        var lastStatus = "Healthy";
        do
        {
            try
            {
                var report = await health.CheckHealthAsync(stoppingToken);
                var summary = HealthSummary.From(identity.Name, report);
                lastStatus = LogTransition(lastStatus, summary);
                var beat = new ServiceHeartbeat(identity.Name, identity.InstanceId, summary.Status, summary.Checks, identity.StartedAt, time.GetUtcNow());
                await redis.PublishAsync(ServiceHeartbeat.Channel, JsonSerializer.Serialize(beat, JsonDefaults.Options), stoppingToken);
                if (failing) logger.LogInformation("Heartbeats are being published again");
                failing = false;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis down is exactly when heartbeats stop; the portal notices the silence. Log once per outage.
                if (!failing) logger.LogWarning("Cannot publish heartbeat: {Reason}", ex.Message);
                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One log line when health changes (the checks themselves run every beat and would flood the log).</summary>
    private string LogTransition(string lastStatus, HealthSummary summary)
    {
        if (summary.Status == lastStatus) return lastStatus;
        var failed = string.Join("; ", summary.Checks.Where(c => c.Status != "Healthy").Select(c => c.Description ?? c.Name));
        if (summary.Status == "Healthy") logger.LogInformation("Health is back to Healthy");
        else logger.LogWarning("Health is {Status}: {Failed}", summary.Status, failed);
        return summary.Status;
    }
}
