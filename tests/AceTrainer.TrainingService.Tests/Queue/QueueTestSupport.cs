using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using AceTrainer.TrainingService.Queue;

namespace AceTrainer.TrainingService.Tests.Queue;

/// <summary>A clock the test moves by hand; starts at a fixed instant so due times are easy to read.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>One redis-server shared by the queue tests; each test gets its own key prefix, so they never collide.</summary>
public sealed class QueueRedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;
    public RedisClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartNewAsync();
        Client = new RedisClient(RedisConnectionOptions.Parse(Server.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    public static RunQueueOptions FreshOptions() => new()
    {
        KeyPrefix = $"test:{Guid.NewGuid():N}:",
        LeaseDuration = TimeSpan.FromMinutes(1),
        MaxAttempts = 3,
        BackoffBase = TimeSpan.FromSeconds(10),
        BackoffMax = TimeSpan.FromSeconds(15),
    };
}

[CollectionDefinition(Name)]
public sealed class QueueRedisCollection : ICollectionFixture<QueueRedisFixture>
{
    public const string Name = "queue-redis";
}
