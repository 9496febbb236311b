using AceTrainer.TrainingService.Queue;

namespace AceTrainer.TrainingService.Tests.Queue;

/// <summary>How a run leaves a worker that stops without finishing it: given back on shutdown, or dead-lettered when its workers keep dying.</summary>
[Collection(QueueRedisCollection.Name)]
public sealed class RunQueueHandOverTests(QueueRedisFixture fixture)
{
    private readonly ManualClock clock = new();
    private readonly RunQueueOptions options = QueueRedisFixture.FreshOptions() with { MaxExpiredLeases = 2 };

    private RunQueue NewQueue() => new(fixture.Client, options, clock);

    [Fact]
    public async Task A_run_given_back_on_shutdown_is_due_at_once_for_another_worker_with_nothing_counted()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var lease = (await queue.TryLeaseAsync("stopping"))!;

        Assert.Equal(GiveBackResult.Queued, await queue.GiveBackAsync(lease));
        var entry = (await queue.GetAsync("run"))!;
        Assert.Equal((RunQueueState.Queued, 0, null), (entry.State, entry.Failures, entry.WorkerId));
        Assert.Equal(GiveBackResult.LeaseLost, await queue.GiveBackAsync(lease));
        Assert.Equal(HeartbeatSignal.Lost, await queue.HeartbeatAsync(lease));

        var next = (await queue.TryLeaseAsync("other"))!;
        Assert.Equal(("run", 1), (next.RunId, next.Attempt));
        // The stopping worker is free again too.
        await queue.EnqueueAsync("second");
        Assert.Equal("second", (await queue.TryLeaseAsync("stopping"))!.RunId);
    }

    [Fact]
    public async Task A_cancel_or_pause_requested_before_the_give_back_wins()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("cancel-me");
        await queue.EnqueueAsync("pause-me");
        var cancelled = (await queue.TryLeaseAsync("w1"))!;
        var paused = (await queue.TryLeaseAsync("w2"))!;
        Assert.Equal(CancelResult.Flagged, await queue.CancelAsync(cancelled.RunId));
        Assert.Equal(PauseResult.Flagged, await queue.PauseAsync(paused.RunId));

        Assert.Equal(GiveBackResult.Cancelled, await queue.GiveBackAsync(cancelled));
        Assert.Equal(GiveBackResult.Paused, await queue.GiveBackAsync(paused));
        Assert.Null(await queue.GetAsync(cancelled.RunId));
        Assert.Equal(RunQueueState.Paused, (await queue.GetAsync(paused.RunId))!.State);
        Assert.Null(await queue.TryLeaseAsync("w3"));
    }

    [Fact]
    public async Task A_run_whose_workers_keep_dying_is_dead_lettered_with_why_after_the_expiry_limit()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("poison");
        for (var expiry = 1; expiry <= options.MaxExpiredLeases; expiry++)
        {
            Assert.NotNull(await queue.TryLeaseAsync($"victim-{expiry}"));
            clock.Advance(options.LeaseDuration + TimeSpan.FromMilliseconds(1));
            var sweep = await queue.RequeueExpiredAsync();
            Assert.Equal(1, sweep.TakenBack);
            Assert.Equal(expiry < options.MaxExpiredLeases ? [] : ["poison"], sweep.DeadLettered);
        }

        var entry = (await queue.GetAsync("poison"))!;
        Assert.Equal(RunQueueState.DeadLettered, entry.State);
        Assert.Contains("stopped renewing the lease 2 times", entry.LastError);
        Assert.Equal(["poison"], (await queue.ListAsync(RunQueueListing.DeadLettered)).Select(e => e.RunId));
        Assert.Null(await queue.TryLeaseAsync("next"));
        // Enqueued again by hand, it starts afresh.
        Assert.True(await queue.EnqueueAsync("poison"));
        Assert.NotNull(await queue.TryLeaseAsync("next"));
    }
}
