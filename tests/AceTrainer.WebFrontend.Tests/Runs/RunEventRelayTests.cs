using AceTrainer.WebFrontend.Tests.Support;
using static AceTrainer.WebFrontend.Tests.Support.RunEvents;

namespace AceTrainer.WebFrontend.Tests.Runs;

/// <summary>Events published to Redis as the worker publishes them reach the SignalR clients watching their run, and only those.</summary>
[Collection(PortalCollection.Name)]
public sealed class RunEventRelayTests(PortalFixture fixture)
{
    [Fact]
    public async Task A_watcher_gets_every_event_of_its_run_in_order_with_its_id_and_json_and_nothing_else()
    {
        await using var watcher = await fixture.ConnectAsync();
        await using var otherWatcher = await fixture.ConnectAsync();
        var (runId, otherRunId) = (NewRunId(), NewRunId());
        await watcher.WatchAsync(runId);
        await otherWatcher.WatchAsync(otherRunId);

        var published = await fixture.Publisher.PublishManyAsync(runId, 60);
        // The relay keeps publish order, so once this arrives every event of runId has been relayed too.
        var marker = await fixture.Publisher.PublishAsync(otherRunId, Log("marker"));
        await watcher.WaitForAsync(runId, published[^1].Id);
        await otherWatcher.WaitForAsync(otherRunId, marker);

        Assert.Equal(published, watcher.Received);
        Assert.Equal([marker], otherWatcher.Received.Select(e => e.Id));
    }

    [Fact]
    public async Task After_unwatch_no_more_events_of_that_run_arrive()
    {
        await using var watcher = await fixture.ConnectAsync();
        var (runId, stillWatched) = (NewRunId(), NewRunId());
        await watcher.WatchAsync(runId);
        await watcher.WatchAsync(stillWatched);
        var before = await fixture.Publisher.PublishAsync(runId, Log("before"));
        await watcher.WaitForAsync(runId, before);

        await watcher.UnwatchAsync(runId);
        await fixture.Publisher.PublishAsync(runId, Log("after"));
        var marker = await fixture.Publisher.PublishAsync(stillWatched, Log("marker"));
        await watcher.WaitForAsync(stillWatched, marker);

        Assert.Equal([before], watcher.Of(runId).Select(e => e.Id));
    }

    [Fact]
    public async Task Several_runs_at_once_each_reach_their_own_watchers_in_order()
    {
        var runIds = Enumerable.Range(0, 4).Select(_ => NewRunId()).ToArray();
        var watchers = new List<(string RunId, RunWatcher Watcher)>();
        await using var all = await fixture.ConnectAsync();
        try
        {
            foreach (var runId in runIds)
            {
                await all.WatchAsync(runId);
                for (var i = 0; i < 2; i++)
                {
                    var watcher = await fixture.ConnectAsync();
                    watchers.Add((runId, watcher));
                    await watcher.WatchAsync(runId);
                }
            }

            // The runs publish concurrently, as several workers would; each run's own events are in order.
            var published = await Task.WhenAll(runIds.Select(runId => Task.Run(() => fixture.Publisher.PublishManyAsync(runId, 40))));
            var byRun = runIds.Zip(published).ToDictionary(p => p.First, p => p.Second);

            foreach (var (runId, watcher) in watchers)
            {
                await watcher.WaitForAsync(runId, byRun[runId][^1].Id);
                Assert.Equal(byRun[runId], watcher.Received);
            }
            foreach (var runId in runIds)
            {
                await all.WaitForAsync(runId, byRun[runId][^1].Id);
                Assert.Equal(byRun[runId], all.Of(runId));
            }
            Assert.Equal(runIds.Length * 40, all.Received.Count);
        }
        finally
        {
            foreach (var (_, watcher) in watchers) await watcher.DisposeAsync();
        }
    }
}
