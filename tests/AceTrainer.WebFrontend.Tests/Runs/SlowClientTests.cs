using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.WebFrontend.Tests.Support;
using static AceTrainer.WebFrontend.Tests.Support.RunEvents;

namespace AceTrainer.WebFrontend.Tests.Runs;

[Collection(PortalCollection.Name)]
public sealed class SlowClientTests(PortalFixture fixture)
{
    [Fact]
    public async Task A_client_that_stops_reading_does_not_hold_back_the_other_watchers()
    {
        var runId = NewRunId();
        await using var stalled = await StalledClient.ConnectAndWatchAsync(fixture.Portal.Url, runId);
        await using var watcher = await fixture.ConnectAsync();
        await watcher.WatchAsync(runId);

        // 20 MB: several times what the stalled client's socket, the server's send buffer (4 MB at most here) and
        // SignalR's pipes can hold, so its sends back up long before the last event.
        const int Count = 160;
        var padding = new string('x', 128 * 1024);
        var last = "";
        for (var i = 0; i < Count; i++)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(new RunEvent(RunEvent.LogType, DateTimeOffset.UtcNow, Message: $"{i} {padding}"), JsonDefaults.Options);
            last = await fixture.Publisher.PublishAsync(runId, json);
        }

        await watcher.WaitForAsync(runId, last, TimeSpan.FromSeconds(60));
        Assert.Equal(Count, watcher.Of(runId).Count);
        Assert.Null(stalled.PingFailure);
    }
}
