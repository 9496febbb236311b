using AceTrainer.ServiceDefaults.Redis.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>
/// Pub/sub on a dedicated RESP2 connection (a subscribed connection cannot run other commands). Reconnects with
/// backoff and resubscribes every channel and pattern; handlers run in order per subscription.
/// </summary>
public sealed class RedisSubscriber : IRedisSubscriber, IAsyncDisposable
{
    private const string Role = "subscriber";

    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly CancellationTokenSource _shutdown = new();

    // Guards _channels, _transport and every ChannelState.
    private readonly Lock _sync = new();

    // Subscribed channels/patterns and their handlers; the source of truth replayed after each reconnect.
    private readonly Dictionary<SubscriptionKey, ChannelState> _channels = [];

    // The live connection, or null while (re)connecting.
    private RedisTransport? _transport;

    // Serialises writes on the connection (the read loop is its only reader).
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private readonly Task _connectionLoop;
    private int _disposed;

    public RedisSubscriber(RedisConnectionOptions options, ILogger<RedisSubscriber>? logger = null)
    {
        _options = options with { Protocol = RedisProtocol.Resp2 };
        _logger = logger ?? NullLogger<RedisSubscriber>.Instance;
        _endpoint = $"{options.Host}:{options.Port}";
        _connectionLoop = Task.Run(RunConnectionLoopAsync);
    }

    /// <summary>Subscribes and waits (up to SyncTimeout) until the server confirmed, so later publishes are seen.</summary>
    public async Task<IAsyncDisposable> SubscribeAsync(string channel, Func<RedisMessage, Task> handler, bool pattern = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var key = new SubscriptionKey(channel, pattern);
        var subscription = new RedisSubscription(key, handler, _logger, UnsubscribeAsync);
        RedisTransport? transport;
        Task confirmed;
        bool isNew;
        lock (_sync)
        {
            isNew = !_channels.TryGetValue(key, out var state);
            if (state is null)
            {
                state = new ChannelState();
                _channels[key] = state;
            }
            state.Handlers.Add(subscription);
            confirmed = state.Confirmed.Task;
            transport = _transport;
        }
        try
        {
            if (isNew && transport is not null)
            {
                await SendAsync(transport, key.SubscribeCommand, [key.Channel]).ConfigureAwait(false);
            }
            await confirmed.WaitAsync(_options.SyncTimeout, cancellationToken).ConfigureAwait(false);
            return subscription;
        }
        catch (Exception ex)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
            if (ex is TimeoutException or RedisConnectionException or IOException)
            {
                throw new RedisConnectionException($"Redis SUBSCRIBE {channel} was not confirmed by {_endpoint} within {_options.SyncTimeout.TotalMilliseconds:0} ms.", ex);
            }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await _connectionLoop.ConfigureAwait(false);
        RedisSubscription[] all;
        lock (_sync)
        {
            all = [.. _channels.Values.SelectMany(c => c.Handlers)];
        }
        foreach (var subscription in all)
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
        _shutdown.Dispose();
    }

    private async Task UnsubscribeAsync(RedisSubscription subscription)
    {
        RedisTransport? transport = null;
        lock (_sync)
        {
            if (_channels.TryGetValue(subscription.Key, out var state) && state.Handlers.Remove(subscription) && state.Handlers.Count == 0)
            {
                _channels.Remove(subscription.Key);
                transport = _transport;
            }
        }
        if (transport is not null && !_shutdown.IsCancellationRequested)
        {
            try
            {
                await SendAsync(transport, subscription.Key.UnsubscribeCommand, [subscription.Key.Channel]).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or RedisConnectionException)
            {
                // The connection is going away; the next one will not resubscribe this key.
            }
        }
    }

    private async Task SendAsync(RedisTransport transport, string command, IReadOnlyList<RedisArg> args)
    {
        await _writeLock.WaitAsync(_shutdown.Token).ConfigureAwait(false);
        try
        {
            await transport.SendAsync(command, args, _shutdown.Token).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task RunConnectionLoopAsync()
    {
        var attempt = 0;
        var token = _shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            RedisTransport? transport = null;
            try
            {
                transport = await RedisTransport.ConnectAsync(_options, RedisProtocol.Resp2, token).ConfigureAwait(false);
                attempt = 0;
                SubscriptionKey[] keys;
                lock (_sync)
                {
                    _transport = transport;
                    keys = [.. _channels.Keys];
                }
                RedisLog.Connected(_logger, Role, _endpoint, 2);
                foreach (var group in keys.GroupBy(k => k.SubscribeCommand))
                {
                    await SendAsync(transport, group.Key, [.. group.Select(k => (RedisArg)k.Channel)]).ConfigureAwait(false);
                }
                await ReadLoopAsync(transport, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                RedisLog.ConnectionLost(_logger, Role, _endpoint, ex.Message);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                // Disposing.
            }
            finally
            {
                lock (_sync)
                {
                    _transport = null;
                    foreach (var state in _channels.Values)
                    {
                        if (state.Confirmed.Task.IsCompleted)
                        {
                            state.Confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                        }
                    }
                }
                if (transport is not null)
                {
                    await transport.DisposeAsync().ConfigureAwait(false);
                }
            }
            if (token.IsCancellationRequested)
            {
                return;
            }
            var delay = RedisBackoff.Delay(attempt++, _options.ReconnectMinDelay, _options.ReconnectMaxDelay);
            RedisLog.Reconnecting(_logger, Role, _endpoint, (int)delay.TotalMilliseconds, attempt);
            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadLoopAsync(RedisTransport transport, CancellationToken cancellationToken)
    {
        while (true)
        {
            var reply = await transport.ReadReplyAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Kind == RedisReplyKind.Error)
            {
                throw new RedisConnectionException($"Redis subscriber got an error reply: {reply.AsString()}");
            }
            if (!reply.IsAggregate || reply.Items.Count < 3)
            {
                continue;
            }
            var kind = reply.Items[0].AsString();
            switch (kind)
            {
                case "message":
                    Deliver(new SubscriptionKey(reply.Items[1].AsString()!, false), new RedisMessage(reply.Items[1].AsString()!, reply.Items[2].Bytes));
                    break;
                case "pmessage" when reply.Items.Count >= 4:
                    Deliver(new SubscriptionKey(reply.Items[1].AsString()!, true), new RedisMessage(reply.Items[2].AsString()!, reply.Items[3].Bytes));
                    break;
                case "subscribe" or "psubscribe":
                    lock (_sync)
                    {
                        if (_channels.TryGetValue(new SubscriptionKey(reply.Items[1].AsString()!, kind == "psubscribe"), out var state))
                        {
                            state.Confirmed.TrySetResult();
                        }
                    }
                    break;
            }
        }
    }

    private void Deliver(SubscriptionKey key, RedisMessage message)
    {
        lock (_sync)
        {
            if (_channels.TryGetValue(key, out var state))
            {
                foreach (var handler in state.Handlers)
                {
                    handler.Deliver(message);
                }
            }
        }
    }

    /// <summary>Handlers of one channel and whether the current connection confirmed the subscription.</summary>
    private sealed class ChannelState
    {
        public List<RedisSubscription> Handlers { get; } = [];
        public TaskCompletionSource Confirmed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
