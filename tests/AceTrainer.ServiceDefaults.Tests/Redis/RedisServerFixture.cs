using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;

namespace AceTrainer.ServiceDefaults.Tests.Redis;

/// <summary>One shared redis-server for the tests that do not restart or reconfigure it.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;
    public RedisClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartNewAsync(extraArguments: ["--enable-debug-command", "local"]);
        Client = new RedisClient(RedisConnectionOptions.Parse(Server.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>A key unique to this call, so tests sharing the server never collide.</summary>
    public static string Key(string name) => $"{name}:{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
