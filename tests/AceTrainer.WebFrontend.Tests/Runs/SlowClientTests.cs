using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.WebFrontend.Tests.Support;
using static AceTrainer.WebFrontend.Tests.Support.RunEvents;

namespace AceTrainer.WebFrontend.Tests.Runs;

[Collection(PortalCollection.Name)]
public sealed class SlowClientTests(PortalFixture fixture)
{
    [Fact]
    public async Task A_client_that_stops_reading_does_not_hold_back_the_other_watchers_and_later_gets_everything_in_order()
    {
        var runId = NewRunId();
        await using var slow = await SlowClient.ConnectAndWatchAsync(fixture.Portal.Url, runId);
        await using var watcher = await fixture.ConnectAsync();
        await watcher.WatchAsync(runId);

        // 6 MB: twice what the slow client's socket, the server's send buffer and SignalR's pipes took in here before
        // sends to it backed up. Steps are the common case; every event is padded to 8 KB to get there quickly.
        var padding = new string('x', 8 * 1024);
        var published = new List<RelayedEvent>();
        for (var i = 0; i < 750; i++)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(new RunEvent(RunEvent.LogType, DateTimeOffset.UtcNow, Message: $"{i} {padding}"), JsonDefaults.Options);
            published.Add(new RelayedEvent(runId, await fixture.Publisher.PublishAsync(runId, json), json));
        }

        // SignalR drops a connection whose send has been stuck for 10 s (TransportSendTimeout), which would free a
        // relay that waited for it: the watcher must have everything well before that, while the slow client still stalls.
        await watcher.WaitForAsync(runId, published[^1].Id, TimeSpan.FromSeconds(6));
        Assert.Equal(published, watcher.Received);

        // The slow client's backlog was queued, not lost or reordered.
        Assert.Equal(published, await slow.ReadEventsUntilAsync(published[^1].Id, TimeSpan.FromSeconds(30)));
    }
}
