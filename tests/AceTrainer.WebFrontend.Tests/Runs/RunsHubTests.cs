using AceTrainer.WebFrontend.Tests.Support;
using Microsoft.AspNetCore.SignalR;
using static AceTrainer.WebFrontend.Tests.Support.RunEvents;

namespace AceTrainer.WebFrontend.Tests.Runs;

[Collection(PortalCollection.Name)]
public sealed class RunsHubTests(PortalFixture fixture)
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("run:1")]
    [InlineData("../etc")]
    [InlineData("ünïcode")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65 characters
    public async Task Watch_and_unwatch_of_an_invalid_run_id_answer_a_readable_error(string? runId)
    {
        await using var watcher = await fixture.ConnectAsync();

        var watch = await Assert.ThrowsAsync<HubException>(() => watcher.WatchAsync(runId!));
        var unwatch = await Assert.ThrowsAsync<HubException>(() => watcher.UnwatchAsync(runId!));

        Assert.Contains("is not a run id: use 1 to 64 letters, digits or '-'", watch.Message);
        Assert.Contains("is not a run id", unwatch.Message);
        // The connection survives a bad call.
        await watcher.WatchAsync(NewRunId());
    }

    [Fact]
    public async Task A_run_id_of_64_letters_digits_and_dashes_is_accepted_and_relayed()
    {
        await using var watcher = await fixture.ConnectAsync();
        var runId = "Run-0123456789-" + new string('z', 64 - 15);
        await watcher.WatchAsync(runId);

        var id = await fixture.Publisher.PublishAsync(runId, Log("hello"));

        await watcher.WaitForAsync(runId, id);
    }
}
