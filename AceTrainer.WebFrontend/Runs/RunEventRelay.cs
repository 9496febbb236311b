using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace AceTrainer.WebFrontend.Runs;

/// <summary>
/// Relays every run's live events from Redis to the pages watching that run: one pattern subscription for the whole
/// portal process (not one per run or per browser), each message sent to the SignalR group of its run with the event
/// JSON exactly as the worker published it. Redis restarts are covered by the subscriber, which resubscribes by itself.
/// </summary>
public sealed class RunEventRelay(
    IRedisSubscriber subscriber,
    IHubContext<RunsHub> hub,
    TimeProvider time,
    ILogger<RunEventRelay> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await subscriber.SubscribeWhenReachableAsync(RunChannels.ChannelPattern, RelayAsync, pattern: true, logger, time, stoppingToken);
        await Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
    }

    // Runs on the subscription's single consumer, one message at a time, in publish order.
    private Task RelayAsync(RedisMessage message)
    {
        if (RunChannels.RunIdOfChannel(message.Channel) is not { Length: > 0 } runId || !RunChannels.TryParseMessage(message.Text, out var id, out var json))
        {
            logger.LogWarning("Ignored a message on {Channel} that is not '<stream id>\\n<event json>'", message.Channel);
            return Task.CompletedTask;
        }
        // Not awaited: a group send completes only when every member's connection has flushed, so awaiting it would let
        // one browser that stopped reading hold back every run's events until SignalR drops it (a send stuck for 10 s,
        // which also bounds what queues up for it). The send writes, or queues behind SignalR's per-connection write lock
        // (first come, first served), before it returns, so each browser still gets its run's events in order.
        _ = SendAsync(runId, id, json);
        return Task.CompletedTask;
    }

    private async Task SendAsync(string runId, string id, string json)
    {
        try
        {
            await hub.Clients.Group(RunsHub.Group(runId)).SendAsync(RunsHub.EventMethod, runId, id, json);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Relaying event {Id} of run {RunId} failed: {Reason}", id, runId, ex.Message);
        }
    }
}
