using AceTrainer.TrainingService.Queue;

namespace AceTrainer.TrainingService.Tests.Queue;

[Collection(QueueRedisCollection.Name)]
public sealed class RunQueueLeaseTests(QueueRedisFixture fixture)
{
    private readonly ManualClock clock = new();
    private readonly RunQueueOptions options = QueueRedisFixture.FreshOptions();

    private RunQueue NewQueue() => new(fixture.Client, options, clock);

    [Fact]
    public async Task Runs_are_leased_in_due_time_order_not_enqueue_order()
    {
        var queue = NewQueue();
        var start = clock.GetUtcNow();
        await queue.EnqueueAsync("late", start.AddSeconds(-1));
        await queue.EnqueueAsync("early", start.AddSeconds(-3));
        await queue.EnqueueAsync("middle", start.AddSeconds(-2));
        await queue.EnqueueAsync("now");

        var order = new List<string>();
        for (var worker = 0; worker < 4; worker++)
        {
            order.Add((await queue.TryLeaseAsync($"w{worker}"))!.RunId);
        }

        Assert.Equal(["early", "middle", "late", "now"], order);
        Assert.Null(await queue.TryLeaseAsync("w9"));
    }

    [Fact]
    public async Task Enqueue_is_idempotent_for_the_same_run_id()
    {
        var queue = NewQueue();
        Assert.True(await queue.EnqueueAsync("run"));
        Assert.False(await queue.EnqueueAsync("run", clock.GetUtcNow().AddHours(1)));

        var entry = await queue.GetAsync("run");
        Assert.Equal(RunQueueState.Queued, entry!.State);
        Assert.Equal(clock.GetUtcNow(), entry.DueAt);
        Assert.Single(await queue.ListAsync(RunQueueListing.Waiting));
    }

    [Fact]
    public async Task A_scheduled_run_is_not_leased_before_its_time()
    {
        var queue = NewQueue();
        var at = clock.GetUtcNow().AddMinutes(5);
        await queue.EnqueueAsync("later", at);
        Assert.Equal(RunQueueState.Scheduled, (await queue.GetAsync("later"))!.State);

        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.Null(await queue.TryLeaseAsync("w"));

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(RunQueueState.Queued, (await queue.GetAsync("later"))!.State);
        var lease = await queue.TryLeaseAsync("w");
        Assert.Equal("later", lease!.RunId);
        Assert.Equal(1, lease.Attempt);
    }

    [Fact]
    public async Task A_worker_holds_at_most_one_lease_until_it_completes()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("a");
        await queue.EnqueueAsync("b");

        var first = await queue.TryLeaseAsync("gpu0");
        Assert.NotNull(first);
        Assert.Null(await queue.TryLeaseAsync("gpu0"));
        Assert.NotNull(await queue.TryLeaseAsync("gpu1"));

        Assert.True(await queue.CompleteAsync(first));
        Assert.Null(await queue.GetAsync(first.RunId));
        await queue.EnqueueAsync("c");
        Assert.Equal("c", (await queue.TryLeaseAsync("gpu0"))!.RunId);
    }

    [Fact]
    public async Task Heartbeats_keep_a_lease_past_its_original_expiry()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var lease = (await queue.TryLeaseAsync("w"))!;
        Assert.Equal(clock.GetUtcNow() + options.LeaseDuration, lease.LeasedUntil);

        for (var beat = 0; beat < 3; beat++)
        {
            clock.Advance(options.LeaseDuration * 0.9);
            Assert.Equal(HeartbeatSignal.Continue, await queue.HeartbeatAsync(lease));
            Assert.Equal(0, (await queue.RequeueExpiredAsync()).TakenBack);
        }

        var entry = (await queue.GetAsync("run"))!;
        Assert.Equal(RunQueueState.Leased, entry.State);
        Assert.Equal("w", entry.WorkerId);
        Assert.Equal(clock.GetUtcNow() + options.LeaseDuration, entry.LeasedUntil);
        Assert.True(await queue.CompleteAsync(lease));
    }

    [Fact]
    public async Task An_expired_lease_is_requeued_with_its_attempt_and_the_old_token_is_rejected()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var dead = (await queue.TryLeaseAsync("killed"))!;
        Assert.Equal("run", dead.RunId);
        Assert.Equal(FailureOutcome.Retrying, (await queue.FailAsync(dead, "oom", transient: true)).Outcome);
        clock.Advance(options.BackoffBase);
        var crashed = (await queue.TryLeaseAsync("killed"))!;
        Assert.Equal(("run", 2), (crashed.RunId, crashed.Attempt));

        clock.Advance(options.LeaseDuration);
        Assert.Equal(0, (await queue.RequeueExpiredAsync()).TakenBack); // exactly at the expiry the lease still holds
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, (await queue.RequeueExpiredAsync()).TakenBack);
        Assert.Equal(RunQueueState.Queued, (await queue.GetAsync("run"))!.State);

        var taken = (await queue.TryLeaseAsync("survivor"))!;
        Assert.Equal(("run", 2), (taken.RunId, taken.Attempt));
        Assert.Equal(HeartbeatSignal.Lost, await queue.HeartbeatAsync(crashed));
        Assert.False(await queue.CompleteAsync(crashed));
        Assert.Equal(FailureOutcome.LeaseLost, (await queue.FailAsync(crashed, "late", transient: false)).Outcome);
        Assert.False(await queue.ReleasePausedAsync(crashed));

        Assert.Equal(HeartbeatSignal.Continue, await queue.HeartbeatAsync(taken));
        await queue.EnqueueAsync("next");
        Assert.Equal("next", (await queue.TryLeaseAsync("killed"))!.RunId); // the dead worker's slot was freed
        Assert.True(await queue.CompleteAsync(taken));
    }

    [Fact]
    public async Task A_late_heartbeat_renews_an_expired_lease_nobody_has_taken_back_yet()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("run");
        var lease = (await queue.TryLeaseAsync("w"))!;

        clock.Advance(options.LeaseDuration * 2);
        Assert.Equal(HeartbeatSignal.Continue, await queue.HeartbeatAsync(lease));

        Assert.Equal(0, (await queue.RequeueExpiredAsync()).TakenBack);
        Assert.Equal(clock.GetUtcNow() + options.LeaseDuration, (await queue.GetAsync("run"))!.LeasedUntil);
    }

    [Fact]
    public void Invalid_options_are_rejected_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RunQueue(fixture.Client, options with { MaxAttempts = 0 }, clock));
        Assert.Equal(nameof(RunQueueOptions.MaxAttempts), error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => new RunQueue(fixture.Client, options with { BackoffMax = TimeSpan.FromSeconds(1) }, clock));
        Assert.Equal(nameof(RunQueueOptions.BackoffMax), error.ParamName);
    }

    [Fact]
    public async Task Transient_failures_retry_with_exponential_backoff_then_dead_letter_with_the_error()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("flaky");

        var first = (await queue.TryLeaseAsync("w"))!;
        var retry1 = await queue.FailAsync(first, "cuda error 1", transient: true);
        Assert.Equal(new FailResult(FailureOutcome.Retrying, 1, clock.GetUtcNow() + options.BackoffBase), retry1);
        Assert.Equal(RunQueueState.Scheduled, (await queue.GetAsync("flaky"))!.State);
        clock.Advance(options.BackoffBase - TimeSpan.FromMilliseconds(1));
        Assert.Null(await queue.TryLeaseAsync("w"));
        clock.Advance(TimeSpan.FromMilliseconds(1));

        var second = (await queue.TryLeaseAsync("w"))!;
        Assert.Equal(2, second.Attempt);
        var retry2 = await queue.FailAsync(second, "cuda error 2", transient: true);
        Assert.Equal(clock.GetUtcNow() + options.BackoffMax, retry2.RetryAt); // 2 × base capped at max
        clock.Advance(options.BackoffMax);

        var third = (await queue.TryLeaseAsync("w"))!;
        Assert.Equal(3, third.Attempt);
        var final = await queue.FailAsync(third, "cuda error 3", transient: true);
        Assert.Equal(new FailResult(FailureOutcome.DeadLettered, 3, null), final);

        var dead = (await queue.GetAsync("flaky"))!;
        Assert.Equal((RunQueueState.DeadLettered, 3, "cuda error 3"), (dead.State, dead.Failures, dead.LastError));
        Assert.Equal(["flaky"], (await queue.ListAsync(RunQueueListing.DeadLettered)).Select(e => e.RunId));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Null(await queue.TryLeaseAsync("w"));

        Assert.True(await queue.EnqueueAsync("flaky")); // enqueuing a dead-lettered run again starts it afresh
        Assert.Equal(1, (await queue.TryLeaseAsync("w"))!.Attempt);
        Assert.Empty(await queue.ListAsync(RunQueueListing.DeadLettered));
    }

    [Fact]
    public async Task A_non_transient_failure_is_dead_lettered_at_once()
    {
        var queue = NewQueue();
        await queue.EnqueueAsync("broken");
        var lease = (await queue.TryLeaseAsync("w"))!;

        var result = await queue.FailAsync(lease, "config: unknown base model", transient: false);

        Assert.Equal(FailureOutcome.DeadLettered, result.Outcome);
        var entry = (await queue.GetAsync("broken"))!;
        Assert.Equal((RunQueueState.DeadLettered, 1, "config: unknown base model", (string?)null), (entry.State, entry.Failures, entry.LastError, entry.WorkerId));
        await queue.EnqueueAsync("next");
        Assert.Equal("next", (await queue.TryLeaseAsync("w"))!.RunId); // the worker was freed
    }
}
