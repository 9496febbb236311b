using System.Diagnostics;
using AceTrainer.TrainingService.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace AceTrainer.TrainingService.Tests.Queue;

/// <summary>The sweeper on the real clock: a worker that stops heartbeating loses its run to another worker.</summary>
[Collection(QueueRedisCollection.Name)]
public sealed class RunQueueSweeperTests(QueueRedisFixture fixture)
{
    [Fact]
    public async Task The_sweeper_hands_a_silent_workers_run_to_another_worker()
    {
        var options = QueueRedisFixture.FreshOptions() with { LeaseDuration = TimeSpan.FromMilliseconds(300), SweepInterval = TimeSpan.FromMilliseconds(50) };
        var queue = new RunQueue(fixture.Client, options, TimeProvider.System);
        await queue.EnqueueAsync("run");
        var silent = (await queue.TryLeaseAsync("silent"))!;
        using var sweeper = new RunQueueSweeper(queue, [], TimeProvider.System, NullLogger<RunQueueSweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            Assert.Null(await queue.TryLeaseAsync("other")); // still held: the lease has not expired yet

            var waited = Stopwatch.StartNew();
            RunLease? taken = null;
            while (taken is null && waited.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(20);
                taken = await queue.TryLeaseAsync("other");
            }

            Assert.NotNull(taken);
            Assert.Equal(("run", 1), (taken.RunId, taken.Attempt));
            Assert.True(TimeProvider.System.GetUtcNow() > silent.LeasedUntil, "the run was taken back before its lease expired");
            Assert.Equal(HeartbeatSignal.Lost, await queue.HeartbeatAsync(silent));
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_sweeper_tells_its_observers_about_a_run_it_dead_letters()
    {
        var options = QueueRedisFixture.FreshOptions() with
        {
            LeaseDuration = TimeSpan.FromMilliseconds(200), SweepInterval = TimeSpan.FromMilliseconds(50), MaxExpiredLeases = 1,
        };
        var queue = new RunQueue(fixture.Client, options, TimeProvider.System);
        await queue.EnqueueAsync("poison");
        Assert.NotNull(await queue.TryLeaseAsync("dies"));
        var observer = new RecordingObserver();
        using var sweeper = new RunQueueSweeper(queue, [observer], TimeProvider.System, NullLogger<RunQueueSweeper>.Instance);
        await sweeper.StartAsync(CancellationToken.None);
        try
        {
            var (runId, error) = await observer.DeadLettered.Task.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("poison", runId);
            Assert.Contains("stopped renewing the lease once", error);
            Assert.Equal(RunQueueState.DeadLettered, (await queue.GetAsync("poison"))!.State);
        }
        finally
        {
            await sweeper.StopAsync(CancellationToken.None);
        }
    }

    private sealed class RecordingObserver : IRunQueueObserver
    {
        public TaskCompletionSource<(string RunId, string Error)> DeadLettered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task OnDeadLetteredAsync(string runId, string error, CancellationToken cancellationToken)
        {
            DeadLettered.TrySetResult((runId, error));
            return Task.CompletedTask;
        }
    }
}
