using System.Collections.Concurrent;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TrainingService.Queue;

namespace AceTrainer.TrainingService.Tests.Queue;

[Collection(QueueRedisCollection.Name)]
public sealed class RunQueueConcurrencyTests(QueueRedisFixture fixture)
{
    [Fact]
    public async Task Concurrent_workers_never_lease_the_same_run()
    {
        const int runs = 200;
        const int workers = 8;
        var options = QueueRedisFixture.FreshOptions();
        var clock = new ManualClock();
        var setup = new RunQueue(fixture.Client, options, clock);
        for (var i = 0; i < runs; i++)
        {
            await setup.EnqueueAsync($"run{i:D3}");
        }

        // Separate connections, so the scripts really interleave at the server rather than queue on one socket.
        var clients = Enumerable.Range(0, 4).Select(_ => new RedisClient(RedisConnectionOptions.Parse(fixture.Server.ConnectionString))).ToArray();
        var leased = new ConcurrentBag<(string Run, string Worker)>();
        var heldAtOnce = new ConcurrentDictionary<string, int>();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, workers), new ParallelOptions { MaxDegreeOfParallelism = workers }, async (worker, ct) =>
            {
                var queue = new RunQueue(clients[worker % clients.Length], options, clock);
                var id = $"worker{worker}";
                while (await queue.TryLeaseAsync(id, ct) is { } lease)
                {
                    Assert.Equal(1, heldAtOnce.AddOrUpdate(lease.RunId, 1, (_, n) => n + 1));
                    leased.Add((lease.RunId, id));
                    Assert.Null(await queue.TryLeaseAsync(id, ct));
                    heldAtOnce[lease.RunId] = 0;
                    Assert.True(await queue.CompleteAsync(lease, ct));
                }
            });
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }

        Assert.Equal(runs, leased.Count);
        Assert.Equal(runs, leased.Select(l => l.Run).Distinct().Count());
        Assert.True(leased.Select(l => l.Worker).Distinct().Count() > 1, "the test should exercise more than one worker");
        Assert.Empty(await setup.ListAsync(RunQueueListing.Leased));
    }
}
