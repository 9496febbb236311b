using AceTrainer.TrainingService.Queue;

namespace AceTrainer.TrainingService.Tests.Queue;

/// <summary>Cancel, pause and resume as the portal requests them, of waiting and of leased runs, and the portal's queries.</summary>
[Collection(QueueRedisCollection.Name)]
public sealed class RunQueueControlTests(QueueRedisFixture fixture)
{
    private readonly ManualClock clock = new();
    private readonly RunQueueOptions options = QueueRedisFixture.FreshOptions();

    private RunQueue NewQueue() => new(fixture.Client, options, clock);

    [Fact]
    public async Task Cancelling_a_queued_or_scheduled_run_removes_it_at_once()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("queued");
        await queue.EnqueueAsync("scheduled", clock.GetUtcNow().AddMinutes(1));

        Assert.Equal(CancelResult.Removed, await queue.CancelAsync("queued"));
        Assert.Equal(CancelResult.Removed, await queue.CancelAsync("scheduled"));
        Assert.Equal(CancelResult.NotFound, await queue.CancelAsync("queued"));

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await queue.TryLeaseAsync("w"));
        Assert.Null(await queue.GetAsync("scheduled"));
        Assert.Empty(await queue.ListAsync(RunQueueListing.Waiting));
    }

    [Fact]
    public async Task Cancelling_a_leased_run_flags_it_until_the_worker_releases_it()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var lease = (await queue.TryLeaseAsync("w"))!;

        Assert.Equal(CancelResult.Flagged, await queue.CancelAsync("run"));
        Assert.Equal("cancel", (await queue.GetAsync("run"))!.PendingRequest);
        Assert.Equal(PauseResult.NotPausable, await queue.PauseAsync("run")); // cancel wins over a later pause
        Assert.Equal(HeartbeatSignal.Cancel, await queue.HeartbeatAsync(lease));

        Assert.True(await queue.ReleaseCancelledAsync(lease));
        Assert.Null(await queue.GetAsync("run"));
        Assert.Empty(await queue.ListAsync(RunQueueListing.Leased));
        await queue.EnqueueAsync("next");
        Assert.Equal("next", (await queue.TryLeaseAsync("w"))!.RunId);
    }

    [Fact]
    public async Task A_cancelled_run_whose_worker_died_is_removed_by_the_sweep()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        await queue.TryLeaseAsync("w");
        await queue.CancelAsync("run");

        clock.Advance(options.LeaseDuration + TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await queue.RequeueExpiredAsync()).TakenBack);

        Assert.Null(await queue.GetAsync("run"));
        Assert.Null(await queue.TryLeaseAsync("other"));
    }

    [Fact]
    public async Task A_paused_queued_run_is_not_leased_until_resumed_and_keeps_its_place()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("first", clock.GetUtcNow().AddSeconds(-2));
        await queue.EnqueueAsync("second", clock.GetUtcNow().AddSeconds(-1));

        Assert.Equal(PauseResult.Paused, await queue.PauseAsync("first"));
        Assert.Equal(PauseResult.AlreadyPaused, await queue.PauseAsync("first"));
        Assert.Equal(RunQueueState.Paused, (await queue.GetAsync("first"))!.State);
        Assert.Equal(["first"], (await queue.ListAsync(RunQueueListing.Paused)).Select(e => e.RunId));
        Assert.Equal("second", (await queue.TryLeaseAsync("a"))!.RunId);
        Assert.Null(await queue.TryLeaseAsync("b"));

        await queue.EnqueueAsync("third");
        Assert.Equal(ResumeResult.Resumed, await queue.ResumeAsync("first"));
        Assert.Equal(ResumeResult.NotPaused, await queue.ResumeAsync("first"));
        Assert.Equal("first", (await queue.TryLeaseAsync("b"))!.RunId);
    }

    [Fact]
    public async Task Pausing_a_leased_run_flags_it_and_the_released_run_waits_for_resume()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var lease = (await queue.TryLeaseAsync("w"))!;

        Assert.Equal(PauseResult.Flagged, await queue.PauseAsync("run"));
        Assert.Equal(HeartbeatSignal.Pause, await queue.HeartbeatAsync(lease));
        Assert.True(await queue.ReleasePausedAsync(lease));

        var paused = (await queue.GetAsync("run"))!;
        Assert.Equal((RunQueueState.Paused, (string?)null, (string?)null), (paused.State, paused.WorkerId, paused.PendingRequest));
        Assert.Null(await queue.TryLeaseAsync("other"));
        Assert.Equal(HeartbeatSignal.Lost, await queue.HeartbeatAsync(lease));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ResumeResult.Resumed, await queue.ResumeAsync("run"));
        var resumed = (await queue.TryLeaseAsync("other"))!;
        Assert.Equal(("run", 1), (resumed.RunId, resumed.Attempt));
        Assert.Equal(2, (await queue.GetAsync("run"))!.Leases);
    }

    [Fact]
    public async Task A_pause_request_withdrawn_before_the_worker_acts_lets_it_continue()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var lease = (await queue.TryLeaseAsync("w"))!;

        await queue.PauseAsync("run");
        Assert.Equal(ResumeResult.Unflagged, await queue.ResumeAsync("run"));

        Assert.Equal(HeartbeatSignal.Continue, await queue.HeartbeatAsync(lease));
    }

    [Fact]
    public async Task A_transient_failure_of_a_run_flagged_for_pause_parks_it_paused()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var lease = (await queue.TryLeaseAsync("w"))!;
        await queue.PauseAsync("run");

        var result = await queue.FailAsync(lease, "nan loss", transient: true);

        Assert.Equal(FailureOutcome.Paused, result.Outcome);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(await queue.TryLeaseAsync("w"));
        await queue.ResumeAsync("run");
        Assert.Equal(2, (await queue.TryLeaseAsync("w"))!.Attempt);
    }

    [Fact]
    public async Task Listings_show_state_worker_and_lease_expiry_for_the_portal()
    {
        var queue = NewQueue();
        var now = clock.GetUtcNow();
        await queue.EnqueueAsync("leased", now.AddSeconds(-1));
        await queue.EnqueueAsync("queued");
        await queue.EnqueueAsync("scheduled", now.AddHours(1));
        var lease = (await queue.TryLeaseAsync("gpu3"))!;

        var waiting = await queue.ListAsync(RunQueueListing.Waiting);
        Assert.Equal([("queued", RunQueueState.Queued), ("scheduled", RunQueueState.Scheduled)], waiting.Select(e => (e.RunId, e.State)));
        Assert.Equal(now.AddHours(1), waiting[1].DueAt);

        var leased = Assert.Single(await queue.ListAsync(RunQueueListing.Leased));
        Assert.Equal(("leased", RunQueueState.Leased, "gpu3", lease.LeasedUntil), (leased.RunId, leased.State, leased.WorkerId, leased.LeasedUntil));
        Assert.Equal(now, leased.EnqueuedAt);
        Assert.Single(await queue.ListAsync(RunQueueListing.Waiting, limit: 1));
        Assert.Null(await queue.GetAsync("never-enqueued"));
    }
}
