using AceTrainer.ServiceDefaults.Redis;

namespace AceTrainer.ServiceDefaults.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisStreamTests(RedisServerFixture fixture)
{
    private readonly RedisClient _redis = fixture.Client;

    [Fact]
    public async Task Add_range_trim_and_length()
    {
        var key = RedisServerFixture.Key("x");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await _redis.StreamAddAsync(key, [new("n", i), new("kind", "job")]));
        }
        Assert.Equal(5, await _redis.StreamLengthAsync(key));
        var all = await _redis.StreamRangeAsync(key);
        Assert.Equal(ids, all.Select(e => e.Id));
        Assert.Equal("3", all[3].Fields["n"]);
        Assert.Equal("job", all[3].Fields["kind"]);
        Assert.Equal(ids[..2], (await _redis.StreamRangeAsync(key, count: 2)).Select(e => e.Id));
        Assert.Equal([ids[4], ids[3]], (await _redis.StreamReverseRangeAsync(key, count: 2)).Select(e => e.Id));
        Assert.Equal(3, await _redis.StreamTrimAsync(key, 2));
        Assert.Equal(ids[3..], (await _redis.StreamRangeAsync(key)).Select(e => e.Id));

        var capped = RedisServerFixture.Key("cap");
        for (var i = 0; i < 500; i++)
        {
            await _redis.StreamAddAsync(capped, [new("n", i)], approximateMaxLength: 100);
        }
        Assert.InRange(await _redis.StreamLengthAsync(capped), 100, 250);
    }

    [Fact]
    public async Task Consumer_group_read_ack_and_autoclaim()
    {
        var key = RedisServerFixture.Key("g");
        Assert.True(await _redis.StreamCreateGroupAsync(key, "workers", "0"));
        Assert.False(await _redis.StreamCreateGroupAsync(key, "workers", "0"));
        Assert.Empty(await _redis.StreamReadGroupAsync(key, "workers", "alice", 10));

        var first = await _redis.StreamAddAsync(key, [new("job", "1")]);
        var second = await _redis.StreamAddAsync(key, [new("job", "2")]);
        var read = await _redis.StreamReadGroupAsync(key, "workers", "alice", 1);
        Assert.Equal(first, Assert.Single(read).Id);
        Assert.Equal("1", read[0].Fields["job"]);
        Assert.Equal(second, Assert.Single(await _redis.StreamReadGroupAsync(key, "workers", "alice", 10)).Id);
        Assert.Equal(1, await _redis.StreamAcknowledgeAsync(key, "workers", first));

        // alice's unacknowledged entry is pending; after it idled, bob claims it.
        Assert.Equal(second, Assert.Single(await _redis.StreamReadGroupAsync(key, "workers", "alice", 10, id: "0")).Id);
        await Task.Delay(60);
        var claim = await _redis.StreamAutoClaimAsync(key, "workers", "bob", TimeSpan.FromMilliseconds(50));
        Assert.Equal(second, Assert.Single(claim.Claimed).Id);
        Assert.Equal("2", claim.Claimed[0].Fields["job"]);
        Assert.Equal("0-0", claim.NextStartId);
        Assert.Empty(claim.DeletedIds);
        Assert.Empty(await _redis.StreamReadGroupAsync(key, "workers", "alice", 10, id: "0"));
        Assert.Equal(1, await _redis.StreamAcknowledgeAsync(key, "workers", second));
    }
}
