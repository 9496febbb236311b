using System.Text;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;

namespace AceTrainer.ServiceDefaults.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisClientBehaviourTests(RedisServerFixture fixture)
{
    private readonly RedisClient _redis = fixture.Client;

    [Fact]
    public async Task Fifty_concurrent_callers_each_get_their_own_replies()
    {
        var prefix = RedisServerFixture.Key("cc");
        await Task.WhenAll(Enumerable.Range(0, 50).Select(caller => Task.Run(async () =>
        {
            for (var op = 0; op < 1000; op++)
            {
                var key = $"{prefix}:{caller}:{op % 10}";
                var value = $"{caller}-{op}";
                if (op % 2 == 0)
                {
                    Assert.True(await _redis.SetAsync(key, value));
                    Assert.Equal(value, await _redis.GetAsync(key));
                }
                else
                {
                    var echoed = await _redis.ExecuteAsync("ECHO", [value]);
                    Assert.Equal(value, echoed.AsString());
                }
            }
        })));
    }

    [Fact]
    public async Task Timeout_and_cancellation_leave_the_connection_in_sync()
    {
        var options = RedisConnectionOptions.Parse(fixture.Server.ConnectionString + ",syncTimeout=200");
        await using var client = new RedisClient(options);
        var key = RedisServerFixture.Key("t");
        await client.SetAsync(key, "mine");

        // DEBUG SLEEP holds the server past our timeout; its late "+OK" must be discarded, not given to the next caller.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecuteAsync("DEBUG", ["SLEEP", "0.5"]));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ExecuteAsync("DEBUG", ["SLEEP", "0.1"], cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(key, new CancellationToken(canceled: true)));
        await Task.Delay(500);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("mine", await client.GetAsync(key));
            Assert.Equal($"e{i}", (await client.ExecuteAsync("ECHO", [$"e{i}"])).AsString());
        }
    }

    [Fact]
    public async Task Ten_megabyte_value_round_trips()
    {
        var value = new byte[10 * 1024 * 1024];
        new Random(42).NextBytes(value);
        var key = RedisServerFixture.Key("big");
        Assert.True(await _redis.SetAsync(key, value));
        Assert.Equal(value, await _redis.GetBytesAsync(key));
        Assert.Equal("PONG", await _redis.PingAsync());
    }

    [Fact]
    public async Task Transactions_are_atomic_and_never_interleave()
    {
        var key = RedisServerFixture.Key("tx");
        var log = RedisServerFixture.Key("txlog");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                var results = await _redis.TransactionAsync([
                    new RedisCommand("INCR", key),
                    new RedisCommand("RPUSH", log, $"{caller}:a"),
                    new RedisCommand("RPUSH", log, $"{caller}:b"),
                ]);
                Assert.Equal(3, results.Count);
                Assert.Equal(results[1].AsInt64() + 1, results[2].AsInt64());
            }
        })));
        var entries = await _redis.ListRangeAsync(log);
        Assert.Equal(1000, entries.Count);
        for (var i = 0; i < entries.Count; i += 2)
        {
            var caller = entries[i].Split(':')[0];
            Assert.Equal($"{caller}:a", entries[i]);
            Assert.Equal($"{caller}:b", entries[i + 1]);
        }
        Assert.Equal("500", await _redis.GetAsync(key));
    }

    [Fact]
    public async Task Transaction_reports_run_time_and_queuing_errors()
    {
        var key = RedisServerFixture.Key("txe");
        await _redis.ListRightPushAsync(key, "x");
        var results = await _redis.TransactionAsync([new RedisCommand("INCR", key), new RedisCommand("ECHO", "ok")]);
        Assert.Equal(RedisReplyKind.Error, results[0].Kind);
        Assert.Equal("ok", results[1].AsString());
        var error = await Assert.ThrowsAsync<RedisServerException>(() => _redis.TransactionAsync([new RedisCommand("SET", key)]));
        Assert.Equal("EXECABORT", error.Prefix);
        Assert.Equal("PONG", await _redis.PingAsync());
    }

    [Fact]
    public async Task Script_falls_back_to_eval_after_script_flush()
    {
        var script = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
        var key = RedisServerFixture.Key("lua");
        Assert.Equal(5, (await script.EvaluateAsync(_redis, [key], [5])).AsInt64());
        Assert.Equal(script.Sha1, (await _redis.ExecuteAsync("SCRIPT", ["LOAD", script.Source])).AsString());
        await _redis.ExecuteAsync("SCRIPT", ["FLUSH"]);
        Assert.Equal(12, (await script.EvaluateAsync(_redis, [key], [7])).AsInt64());
        Assert.Equal(1, (await _redis.ExecuteAsync("SCRIPT", ["EXISTS", script.Sha1])).Items[0].AsInt64());
    }

    [Fact]
    public async Task Resp3_is_negotiated_and_decodes_native_types()
    {
        await _redis.PingAsync();
        Assert.Equal(RedisProtocol.Resp3, _redis.NegotiatedProtocol);
        var key = RedisServerFixture.Key("r3");
        await _redis.HashSetAsync(key, "f", "v");
        Assert.Equal(RedisReplyKind.Map, (await _redis.ExecuteAsync("HGETALL", [key])).Kind);
        Assert.Equal(RedisReplyKind.Double, (await _redis.ExecuteAsync("EVAL", ["return {double=1.5}", 0])).Kind);
    }

    [Theory]
    [InlineData(",protocol=resp2")]
    [InlineData(",protocol=resp3,defaultDatabase=2")]
    public async Task Resp2_path_and_database_selection(string extra)
    {
        await using var client = new RedisClient(RedisConnectionOptions.Parse(fixture.Server.ConnectionString + extra));
        var key = RedisServerFixture.Key("r2");
        await client.HashSetAsync(key, [new("a", "1"), new("b", "2")]);
        Assert.Equal(2, (await client.HashGetAllAsync(key)).Count);
        Assert.Equal(extra.Contains("resp2") ? RedisProtocol.Resp2 : RedisProtocol.Resp3, client.NegotiatedProtocol);
        var expectedDb = extra.Contains("defaultDatabase=2") ? "2" : "0";
        var info = (await client.ExecuteAsync("CLIENT", ["INFO"])).AsString()!;
        Assert.Contains($" db={expectedDb} ", info);
    }

    [Fact]
    public async Task Falls_back_to_resp2_when_hello_is_unavailable()
    {
        await using var server = await RedisServer.StartNewAsync(password: "pw", extraArguments: ["--rename-command", "HELLO", ""]);
        await using var client = new RedisClient(RedisConnectionOptions.Parse(server.ConnectionString));
        Assert.Equal("PONG", await client.PingAsync());
        Assert.Equal(RedisProtocol.Resp2, client.NegotiatedProtocol);
    }

    [Fact]
    public async Task Auth_with_password_or_user_and_wrong_password_message()
    {
        await using var server = await RedisServer.StartNewAsync(password: "right");
        await using (var client = new RedisClient(RedisConnectionOptions.Parse(server.ConnectionString)))
        {
            Assert.Equal("PONG", await client.PingAsync());
            await client.ExecuteAsync("ACL", ["SETUSER", "app", "on", ">apppw", "~*", "+@all"]);
        }
        await using (var user = new RedisClient(RedisConnectionOptions.Parse($"127.0.0.1:{server.Port},user=app,password=apppw,protocol=resp2")))
        {
            Assert.Equal("app", (await user.ExecuteAsync("ACL", ["WHOAMI"])).AsString());
        }
        await using var wrong = new RedisClient(RedisConnectionOptions.Parse($"127.0.0.1:{server.Port},password=wrong,syncTimeout=500"));
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => wrong.PingAsync());
        Assert.Contains("WRONGPASS", error.Message);
    }

    [Fact]
    public async Task Construction_does_not_throw_when_redis_is_down_and_commands_fail_after_timeout()
    {
        var port = FreePort.Next();
        await using var client = new RedisClient(RedisConnectionOptions.Parse($"127.0.0.1:{port},syncTimeout=300"));
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetAsync("k"));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Binary_payload_survives_exactly()
    {
        var bytes = Encoding.UTF8.GetBytes("a\r\nb\0c\u00e9");
        var key = RedisServerFixture.Key("bin");
        await _redis.SetAsync(key, bytes);
        Assert.Equal(bytes, await _redis.GetBytesAsync(key));
    }
}
