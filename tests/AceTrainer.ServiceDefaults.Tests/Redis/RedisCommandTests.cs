using AceTrainer.ServiceDefaults.Redis;

namespace AceTrainer.ServiceDefaults.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisCommandTests(RedisServerFixture fixture)
{
    private readonly RedisClient _redis = fixture.Client;

    [Fact]
    public async Task Ping_and_strings()
    {
        Assert.Equal("PONG", await _redis.PingAsync());
        var key = RedisServerFixture.Key("s");
        Assert.Null(await _redis.GetAsync(key));
        Assert.True(await _redis.SetAsync(key, "v1"));
        Assert.False(await _redis.SetAsync(key, "v2", condition: SetCondition.IfNotExists));
        Assert.True(await _redis.SetAsync(key, "v3", condition: SetCondition.IfExists));
        Assert.False(await _redis.SetAsync(RedisServerFixture.Key("absent"), "x", condition: SetCondition.IfExists));
        Assert.Equal("v3", await _redis.GetAsync(key));
        Assert.Equal(1, await _redis.ExistsAsync(key, RedisServerFixture.Key("absent")));

        var counter = RedisServerFixture.Key("n");
        Assert.Equal(1, await _redis.IncrementAsync(counter));
        Assert.Equal(11, await _redis.IncrementAsync(counter, 10));
        Assert.Equal(["v3", null, "11"], await _redis.GetManyAsync([key, RedisServerFixture.Key("absent"), counter]));
        Assert.Equal(2, await _redis.DeleteAsync(key, counter));
        Assert.Equal(0, await _redis.ExistsAsync(key));
    }

    [Fact]
    public async Task Expiry_and_server_errors()
    {
        var key = RedisServerFixture.Key("e");
        Assert.True(await _redis.SetAsync(key, "v", expiry: TimeSpan.FromSeconds(30)));
        var ttl = await _redis.TimeToLiveAsync(key);
        Assert.InRange(ttl!.Value.TotalSeconds, 20, 30);
        Assert.True(await _redis.ExpireAsync(key, TimeSpan.FromMilliseconds(50)));
        await Task.Delay(150);
        Assert.Null(await _redis.GetAsync(key));
        Assert.False(await _redis.ExpireAsync(key, TimeSpan.FromSeconds(1)));

        await _redis.ListRightPushAsync(key, "x");
        var error = await Assert.ThrowsAsync<RedisServerException>(() => _redis.IncrementAsync(key));
        Assert.Equal("WRONGTYPE", error.Prefix);
        Assert.Equal("PONG", await _redis.PingAsync());
    }

    [Fact]
    public async Task Hashes()
    {
        var key = RedisServerFixture.Key("h");
        Assert.Equal(2, await _redis.HashSetAsync(key, [new("a", "1"), new("b", "two")]));
        Assert.Equal("two", await _redis.HashGetAsync(key, "b"));
        Assert.Null(await _redis.HashGetAsync(key, "zz"));
        Assert.Equal(6, await _redis.HashIncrementAsync(key, "a", 5));
        var all = await _redis.HashGetAllAsync(key);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "6", ["b"] = "two" }, all);
        Assert.Equal(1, await _redis.HashDeleteAsync(key, "a", "missing"));
        Assert.Single(await _redis.HashGetAllAsync(key));
        Assert.Empty(await _redis.HashGetAllAsync(RedisServerFixture.Key("none")));
    }

    [Fact]
    public async Task Lists()
    {
        var key = RedisServerFixture.Key("l");
        var other = RedisServerFixture.Key("l2");
        Assert.Equal(2, await _redis.ListRightPushAsync(key, "b", "c"));
        Assert.Equal(3, await _redis.ListLeftPushAsync(key, "a"));
        Assert.Equal(["a", "b", "c"], await _redis.ListRangeAsync(key));
        Assert.Equal(["b", "c"], await _redis.ListRangeAsync(key, 1, -1));
        Assert.Equal("c", await _redis.ListMoveAsync(key, other, ListEnd.Right, ListEnd.Left));
        Assert.Equal(["c"], await _redis.ListRangeAsync(other));
        Assert.Equal("a", await _redis.ListLeftPopAsync(key));
        Assert.Equal("b", await _redis.ListRightPopAsync(key));
        Assert.Null(await _redis.ListRightPopAsync(key));
        Assert.Equal(0, await _redis.ListLengthAsync(key));
        Assert.Equal(1, await _redis.ListLengthAsync(other));
        Assert.Null(await _redis.ListMoveAsync(key, other, ListEnd.Left, ListEnd.Left));
    }

    [Fact]
    public async Task Sorted_sets()
    {
        var key = RedisServerFixture.Key("z");
        Assert.Equal(4, await _redis.SortedSetAddAsync(key, [new("a", 1), new("b", 2.5), new("c", 3), new("d", 10)]));
        Assert.Equal(0, await _redis.SortedSetAddAsync(key, "a", 0.5));
        Assert.Equal(0.5, await _redis.SortedSetScoreAsync(key, "a"));
        Assert.Null(await _redis.SortedSetScoreAsync(key, "nope"));
        Assert.Equal(["b", "c"], await _redis.SortedSetRangeByScoreAsync(key, 2, 5));
        Assert.Equal(["b", "c"], await _redis.SortedSetRangeByScoreAsync(key, offset: 1, count: 2));
        Assert.Equal(["a", "b", "c", "d"], await _redis.SortedSetRangeByScoreAsync(key));
        Assert.Equal(1, await _redis.SortedSetRemoveAsync(key, "d"));
        Assert.Equal(3, await _redis.SortedSetLengthAsync(key));
        var popped = await _redis.SortedSetPopMinAsync(key, 2);
        Assert.Equal([new SortedSetEntry("a", 0.5), new SortedSetEntry("b", 2.5)], popped);
        Assert.Equal([new SortedSetEntry("c", 3)], await _redis.SortedSetPopMinAsync(key));
        Assert.Empty(await _redis.SortedSetPopMinAsync(key));
    }

    [Fact]
    public async Task Publish_counts_receivers()
    {
        Assert.Equal(0, await _redis.PublishAsync(RedisServerFixture.Key("nobody"), "hello"));
    }
}
