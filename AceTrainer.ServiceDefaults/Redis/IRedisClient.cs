namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>
/// Our seam for Redis commands (StackExchange.Redis cannot be restored here): one multiplexed,
/// pipelined connection shared by every caller. Typed commands are extension methods over
/// <see cref="ExecuteAsync"/>, so a different client can replace this one in AddRedis alone.
/// </summary>
public interface IRedisClient
{
    /// <summary>Sends one command and awaits its reply.</summary>
    /// <exception cref="RedisServerException">The server answered with an error reply.</exception>
    /// <exception cref="RedisConnectionException">The connection failed before the reply came; the command may or may not have run.</exception>
    /// <exception cref="OperationCanceledException">Cancelled, or the command timeout elapsed.</exception>
    Task<RedisReply> ExecuteAsync(string command, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends the commands back to back, with no other caller's command between them on the wire (what MULTI/EXEC needs
    /// on a shared connection), and returns one reply per command; error replies are returned as
    /// <see cref="RedisReplyKind.Error"/> items, not thrown. Clients that cannot guarantee this throw <see cref="NotSupportedException"/>.
    /// </summary>
    Task<IReadOnlyList<RedisReply>> ExecuteContiguousAsync(IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"{GetType().Name} cannot send contiguous command batches.");
}

/// <summary>Pub/sub on a connection of its own; subscriptions survive reconnects (resubscribed automatically).</summary>
public interface IRedisSubscriber
{
    /// <summary>Subscribes to a channel (or, with <paramref name="pattern"/>, a glob pattern); dispose the result to unsubscribe.</summary>
    Task<IAsyncDisposable> SubscribeAsync(string channel, Func<RedisMessage, Task> handler, bool pattern = false, CancellationToken cancellationToken = default);
}

/// <summary>One pub/sub message as delivered.</summary>
public sealed record RedisMessage(string Channel, ReadOnlyMemory<byte> Payload)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Payload.Span);
}
