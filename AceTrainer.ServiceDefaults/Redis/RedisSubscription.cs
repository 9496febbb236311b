using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>
/// One handler on one channel or pattern: messages queue in an unbounded channel and a single consumer task
/// invokes the handler in order; a throwing handler is logged and the next message still runs.
/// </summary>
internal sealed class RedisSubscription : IAsyncDisposable
{
    // Single reader (the consumer task), written by the subscriber's read loop; unbounded so the read loop never waits on a slow handler.
    private readonly Channel<RedisMessage> _inbox = Channel.CreateUnbounded<RedisMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<RedisMessage, Task> _handler;
    private readonly ILogger _logger;
    private readonly Func<RedisSubscription, Task> _unsubscribe;
    private readonly Task _consumer;
    private int _disposed;

    public RedisSubscription(SubscriptionKey key, Func<RedisMessage, Task> handler, ILogger logger, Func<RedisSubscription, Task> unsubscribe)
    {
        Key = key;
        _handler = handler;
        _logger = logger;
        _unsubscribe = unsubscribe;
        _consumer = Task.Run(ConsumeAsync);
    }

    public SubscriptionKey Key { get; }

    public void Deliver(RedisMessage message) => _inbox.Writer.TryWrite(message);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _unsubscribe(this).ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        await _consumer.ConfigureAwait(false);
    }

    private async Task ConsumeAsync()
    {
        await foreach (var message in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _handler(message).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                RedisLog.HandlerFailed(_logger, ex, message.Channel);
            }
        }
    }
}

/// <summary>A subscribed channel, or glob pattern when <see cref="IsPattern"/>.</summary>
internal readonly record struct SubscriptionKey(string Channel, bool IsPattern)
{
    public string SubscribeCommand => IsPattern ? "PSUBSCRIBE" : "SUBSCRIBE";
    public string UnsubscribeCommand => IsPattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE";
}
