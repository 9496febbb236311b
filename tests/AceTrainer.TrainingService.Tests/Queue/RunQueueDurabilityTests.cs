using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using AceTrainer.TrainingService.Queue;

namespace AceTrainer.TrainingService.Tests.Queue;

public sealed class RunQueueDurabilityTests
{
    [Fact]
    public async Task The_queue_survives_a_redis_server_kill_and_restart_with_aof()
    {
        await using var server = await RedisServer.StartNewAsync(extraArguments: ["--appendonly", "yes", "--appendfsync", "always"]);
        var clock = new ManualClock();
        var options = QueueRedisFixture.FreshOptions();
        RunLease lease;
        await using (var client = new RedisClient(RedisConnectionOptions.Parse(server.ConnectionString)))
        {
            var queue = new RunQueue(client, options, clock);
            await queue.EnqueueAsync("leased");
            await queue.EnqueueAsync("scheduled", clock.GetUtcNow().AddMinutes(10));
            await queue.EnqueueAsync("paused");
            lease = (await queue.TryLeaseAsync("gpu0"))!;
            await queue.PauseAsync("paused");
        }

        await server.StopAsync(); // SIGKILL: only what AOF already wrote survives
        await server.StartAsync();

        await using (var client = new RedisClient(RedisConnectionOptions.Parse(server.ConnectionString)))
        {
            var queue = new RunQueue(client, options, clock);
            Assert.Equal(RunQueueState.Leased, (await queue.GetAsync("leased"))!.State);
            Assert.Equal(RunQueueState.Scheduled, (await queue.GetAsync("scheduled"))!.State);
            Assert.Equal(RunQueueState.Paused, (await queue.GetAsync("paused"))!.State);
            Assert.Equal(HeartbeatSignal.Continue, await queue.HeartbeatAsync(lease));
            Assert.Null(await queue.TryLeaseAsync("gpu0"));

            clock.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal("scheduled", (await queue.TryLeaseAsync("gpu1"))!.RunId);
            Assert.True(await queue.CompleteAsync(lease));
        }
    }
}
