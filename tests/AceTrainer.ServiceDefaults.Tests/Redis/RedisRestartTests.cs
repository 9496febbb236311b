using System.Threading.Channels;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AceTrainer.ServiceDefaults.Tests.Redis;

/// <summary>Each test owns its server so it can kill and restart it.</summary>
public sealed class RedisRestartTests
{
    private static RedisConnectionOptions FastReconnect(RedisServer server) =>
        RedisConnectionOptions.Parse(server.ConnectionString + ",syncTimeout=3000") with
        {
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };

    [Fact]
    public async Task Server_restart_mid_traffic_never_yields_a_wrong_reply_and_recovers()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var client = new RedisClient(FastReconnect(server));
        using var stop = new CancellationTokenSource();
        long correct = 0;
        var callers = Enumerable.Range(0, 20).Select(caller => Task.Run(async () =>
        {
            for (var op = 0; !stop.IsCancellationRequested; op++)
            {
                var expected = $"{caller}:{op}";
                try
                {
                    var reply = await client.ExecuteAsync("ECHO", [expected]);
                    Assert.Equal(expected, reply.AsString());
                    Interlocked.Increment(ref correct);
                }
                catch (Exception ex) when (ex is RedisConnectionException or OperationCanceledException)
                {
                    // Allowed: the command was in flight at the kill, or could not be sent in time.
                }
            }
        })).ToArray();

        await Task.Delay(300);
        // A command the server will not answer before it dies: it is in flight at the kill, deterministically.
        var inFlight = client.ExecuteAsync("BLPOP", [RedisServerFixture.Key("never"), 2]);
        await Task.Delay(50);
        await server.StopAsync();
        await Assert.ThrowsAsync<RedisConnectionException>(() => inFlight);
        await Task.Delay(300);
        await server.StartAsync();
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.True(correct > 0, "no caller ever got a reply");
        var key = RedisServerFixture.Key("after");
        Assert.True(await client.SetAsync(key, "back"));
        Assert.Equal("back", await client.GetAsync(key));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Commands_issued_while_down_wait_for_the_reconnection()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var client = new RedisClient(FastReconnect(server));
        Assert.Equal("PONG", await client.PingAsync());
        await server.StopAsync();
        // "While down" means once the client has seen the connection drop; a command written just before that moment is
        // in flight and fails instead (the first test covers that case).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (client.IsConnected && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.False(client.IsConnected);
        var waiting = client.ExecuteAsync("ECHO", ["patient"]);
        await Task.Delay(400);
        Assert.False(waiting.IsCompleted);
        await server.StartAsync();
        Assert.Equal("patient", (await waiting).AsString());
    }

    [Fact]
    public async Task Subscriber_receives_again_after_restart_without_resubscribing()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var client = new RedisClient(FastReconnect(server));
        await using var subscriber = new RedisSubscriber(FastReconnect(server));
        var received = Channel.CreateUnbounded<string>();
        var channel = RedisServerFixture.Key("events");
        var calls = 0;
        await using var subscription = await subscriber.SubscribeAsync(channel, message =>
        {
            // The first message's handler throws: the loop must log it and keep delivering.
            if (Interlocked.Increment(ref calls) == 1) throw new InvalidOperationException("boom");
            received.Writer.TryWrite(message.Text);
            return Task.CompletedTask;
        });
        await using var patternSubscription = await subscriber.SubscribeAsync(channel[..^4] + "*", message =>
        {
            received.Writer.TryWrite("p:" + message.Text);
            return Task.CompletedTask;
        }, pattern: true);

        Assert.Equal(2, await client.PublishAsync(channel, "lost-to-handler")); // channel + pattern subscription
        Assert.Equal("p:lost-to-handler", await Next(received));
        await client.PublishAsync(channel, "one");
        Assert.Equal(new[] { "one", "p:one" }.Order(), new[] { await Next(received), await Next(received) }.Order());

        await server.StopAsync();
        await server.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? got = null;
        while (got is null && DateTime.UtcNow < deadline)
        {
            try
            {
                if (await client.PublishAsync(channel, "two") == 2)
                {
                    got = "published";
                }
            }
            catch (RedisConnectionException)
            {
                // Client still reconnecting.
            }
            await Task.Delay(50);
        }
        Assert.NotNull(got);
        Assert.Equal(new[] { "two", "p:two" }.Order(), new[] { await Next(received), await Next(received) }.Order());
    }

    [Fact]
    public async Task Health_check_follows_server_state()
    {
        await using var server = await RedisServer.StartNewAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:cache", server.ConnectionString + ",syncTimeout=1000")]);
        builder.AddRedis("cache");
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Same(host.Services.GetRequiredService<IRedisClient>(), host.Services.GetRequiredKeyedService<IRedisClient>("cache"));
        Assert.NotNull(host.Services.GetRequiredService<IRedisSubscriber>());

        Assert.Equal(HealthStatus.Healthy, (await WaitForStatus(health, HealthStatus.Healthy)).Status);
        await server.StopAsync();
        var down = await WaitForStatus(health, HealthStatus.Unhealthy);
        Assert.StartsWith("redis unreachable: ", down.Entries["cache"].Description);
        await server.StartAsync();
        Assert.Equal(HealthStatus.Healthy, (await WaitForStatus(health, HealthStatus.Healthy)).Status);
    }

    [Fact]
    public void AddRedis_names_the_missing_connection_string()
    {
        var builder = Host.CreateApplicationBuilder();
        var error = Assert.Throws<InvalidOperationException>(() => builder.AddRedis("nope"));
        Assert.Contains("ConnectionStrings:nope", error.Message);
    }

    private static async Task<HealthReport> WaitForStatus(HealthCheckService health, HealthStatus wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var report = await health.CheckHealthAsync();
            if (report.Status == wanted || DateTime.UtcNow > deadline)
            {
                return report;
            }
            await Task.Delay(50);
        }
    }

    private static async Task<string> Next(Channel<string> received)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await received.Reader.ReadAsync(timeout.Token);
    }
}
