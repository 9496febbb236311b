namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>One command to send as part of a contiguous batch (see <see cref="IRedisClient.ExecuteContiguousAsync"/>).</summary>
public readonly record struct RedisCommand(string Name, IReadOnlyList<RedisArg> Args)
{
    public RedisCommand(string name, params RedisArg[] args) : this(name, (IReadOnlyList<RedisArg>)args)
    {
    }
}
