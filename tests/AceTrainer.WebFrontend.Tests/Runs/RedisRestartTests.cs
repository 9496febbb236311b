using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.WebFrontend.Tests.Support;
using static AceTrainer.WebFrontend.Tests.Support.RunEvents;

namespace AceTrainer.WebFrontend.Tests.Runs;

[Collection(PortalCollection.Name)]
public sealed class RedisRestartTests(PortalFixture fixture)
{
    [Fact]
    public async Task The_relay_delivers_again_after_redis_restarts()
    {
        await using var watcher = await fixture.ConnectAsync();
        var runId = NewRunId();
        await watcher.WatchAsync(runId);
        var before = await fixture.Publisher.PublishAsync(runId, Log("before"));
        await watcher.WaitForAsync(runId, before);

        await fixture.Portal.Redis.StopAsync();
        await fixture.Portal.Redis.StartAsync();

        // Pub/sub keeps nothing for a subscriber that is still reconnecting: probe until one message gets through.
        var probe = await ProbeUntilRelayedAsync(watcher, runId, TimeSpan.FromSeconds(30));
        var published = await fixture.Publisher.PublishManyAsync(runId, 20);
        await watcher.WaitForAsync(runId, published[^1].Id);

        var afterProbe = watcher.Of(runId).SkipWhile(e => e.Id != probe).Skip(1);
        Assert.Equal(published, afterProbe);
    }

    private async Task<string> ProbeUntilRelayedAsync(RunWatcher watcher, string runId, TimeSpan limit)
    {
        using var cancellation = new CancellationTokenSource(limit);
        while (true)
        {
            try
            {
                var id = await fixture.Publisher.PublishAsync(runId, Log("probe"), cancellation.Token);
                await Task.Delay(200, cancellation.Token);
                if (watcher.Of(runId).Any(e => e.Id == id)) return id;
            }
            catch (Exception ex) when (ex is RedisConnectionException && !cancellation.IsCancellationRequested)
            {
                await Task.Delay(200, cancellation.Token);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                Assert.Fail($"no event of run {runId} was relayed within {limit.TotalSeconds:0} s of the Redis restart");
            }
        }
    }
}
