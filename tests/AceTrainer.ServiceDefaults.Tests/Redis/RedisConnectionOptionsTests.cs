using AceTrainer.ServiceDefaults.Redis;

namespace AceTrainer.ServiceDefaults.Tests.Redis;

public sealed class RedisConnectionOptionsTests
{
    [Fact]
    public void Parses_aspire_style_connection_string()
    {
        var options = RedisConnectionOptions.Parse("cache.local:6380,password=s3cr=t,user=app,ssl=true,defaultDatabase=3,connectTimeout=1500,syncTimeout=250,abortConnect=false,allowAdmin=true");
        Assert.Equal("cache.local", options.Host);
        Assert.Equal(6380, options.Port);
        Assert.Equal("s3cr=t", options.Password);
        Assert.Equal("app", options.User);
        Assert.True(options.Ssl);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.SyncTimeout);
        Assert.False(options.AbortConnect);
        Assert.DoesNotContain("s3cr", options.ToString());
    }

    [Fact]
    public void Defaults_port_and_timeouts()
    {
        var options = RedisConnectionOptions.Parse("localhost");
        Assert.Equal(6379, options.Port);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SyncTimeout);
        Assert.Null(options.Password);
        Assert.Equal(RedisProtocol.Resp3, options.Protocol);
    }

    [Fact]
    public void Parses_ipv6_endpoint_and_protocol()
    {
        var options = RedisConnectionOptions.Parse("[::1]:7000,protocol=resp2");
        Assert.Equal("::1", options.Host);
        Assert.Equal(7000, options.Port);
        Assert.Equal(RedisProtocol.Resp2, options.Protocol);
    }

    [Theory]
    [InlineData("localhost:abc", "port")]
    [InlineData("localhost:6379,ssl=maybe", "ssl")]
    [InlineData("localhost:6379,defaultDatabase=-1", "defaultDatabase")]
    [InlineData("localhost:6379,syncTimeout=soon", "syncTimeout")]
    [InlineData("password=x", "endpoint")]
    public void Rejects_bad_values_with_clear_message(string connectionString, string mentioned)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisConnectionOptions.Parse(connectionString));
        Assert.Contains(mentioned, error.Message);
    }
}
