namespace AceTrainer.ServiceDefaults.Redis;

public static partial class RedisCommands
{
    /// <summary>
    /// MULTI, the commands, EXEC, sent as one contiguous batch so no other caller's command interleaves on the shared
    /// connection. Returns EXEC's results, one per command; a command that failed at run time (e.g. WRONGTYPE) yields an
    /// <see cref="RedisReplyKind.Error"/> item, as in Redis. WATCH is not supported (it is connection-wide state,
    /// meaningless on a multiplexed connection).
    /// </summary>
    /// <exception cref="RedisServerException">A command was rejected while queuing (EXECABORT), nothing ran.</exception>
    public static async Task<IReadOnlyList<RedisReply>> TransactionAsync(this IRedisClient client, IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default)
    {
        var batch = new RedisCommand[commands.Count + 2];
        batch[0] = new RedisCommand("MULTI", []);
        for (var i = 0; i < commands.Count; i++)
        {
            batch[i + 1] = commands[i];
        }
        batch[^1] = new RedisCommand("EXEC", []);
        var replies = await client.ExecuteContiguousAsync(batch, cancellationToken).ConfigureAwait(false);
        var exec = replies[^1];
        if (exec.Kind == RedisReplyKind.Error)
        {
            var queuingError = replies.Skip(1).Take(commands.Count).FirstOrDefault(r => r.Kind == RedisReplyKind.Error);
            throw new RedisServerException(queuingError is null ? exec.AsString()! : $"{exec.AsString()} ({queuingError.AsString()})");
        }
        return exec.Items;
    }
}
