using System.Diagnostics;
using AceTrainer.ServiceDefaults.Redis.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>
/// The multiplexed Redis client: one pipelined connection shared by all callers, reconnected in the background
/// with exponential backoff. Constructing it never throws when Redis is down; commands wait for a connection
/// up to their timeout (<see cref="RedisConnectionOptions.SyncTimeout"/>).
/// </summary>
public sealed class RedisClient : IRedisClient, IAsyncDisposable
{
    private const string Role = "client";

    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly string _endpoint;

    // Cancelled on dispose; stops the connection loop and any connect in progress.
    private readonly CancellationTokenSource _shutdown = new();

    // Guards _connection and _connected so a waiter never sees "closed connection" together with an already-completed signal.
    private readonly Lock _stateLock = new();

    // The live connection, or null while (re)connecting. Read lock-free on the fast path; a stale read is caught by TryEnqueue.
    private MultiplexedConnection? _connection;

    // Completed when a connection is published; replaced by a fresh one when it is lost. Waiters are commands issued while disconnected.
    private TaskCompletionSource _connected = NewSignal();

    // Why the last connect attempt or connection failed; quoted in "not connected" errors.
    private volatile Exception? _lastFailure;

    // Expires pending commands; one timer per client instead of one per command.
    private readonly Timer _timeoutSweep;

    private readonly Task _connectionLoop;
    private int _disposed;

    public RedisClient(RedisConnectionOptions options, ILogger<RedisClient>? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger<RedisClient>.Instance;
        _endpoint = $"{options.Host}:{options.Port}";
        var sweepEvery = TimeSpan.FromMilliseconds(Math.Clamp(options.SyncTimeout.TotalMilliseconds / 10, 5, 250));
        _timeoutSweep = new Timer(static state => ((RedisClient)state!).SweepTimeouts(), this, sweepEvery, sweepEvery);
        _connectionLoop = Task.Run(RunConnectionLoopAsync);
    }

    public RedisConnectionOptions Options => _options;

    /// <summary>Whether a connection is currently established.</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    /// <summary>The protocol negotiated on the current connection (null while disconnected).</summary>
    /// <summary>Why the last connection attempt or connection failed (null once connected).</summary>
    public Exception? LastConnectionFailure => _lastFailure;

    public RedisProtocol? NegotiatedProtocol => Volatile.Read(ref _connection)?.Protocol;

    public Task<RedisReply> ExecuteAsync(string command, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(args);
        var pending = new PendingReply(command, MultiplexedConnection.DeadlineFrom(_options.SyncTimeout));
        pending.AttachCancellation(cancellationToken);
        if (pending.Task.IsCompleted)
        {
            return pending.Task;
        }
        var connection = Volatile.Read(ref _connection);
        if (connection is not null && connection.TryEnqueue(pending, command, args))
        {
            return pending.Task;
        }
        return WaitForConnectionThenSendAsync(pending, [new RedisCommand(command, args)], [pending], cancellationToken);
    }

    public async Task<IReadOnlyList<RedisReply>> ExecuteContiguousAsync(IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var deadline = MultiplexedConnection.DeadlineFrom(_options.SyncTimeout);
        var pendings = new PendingReply[commands.Count];
        for (var i = 0; i < pendings.Length; i++)
        {
            pendings[i] = new PendingReply(commands[i].Name, deadline) { ReturnsErrors = true };
            pendings[i].AttachCancellation(cancellationToken);
        }
        var commandArray = commands as RedisCommand[] ?? [.. commands];
        await WaitForConnectionThenSendAsync(pendings[^1], commandArray, pendings, cancellationToken).ConfigureAwait(false);
        var replies = new RedisReply[pendings.Length];
        for (var i = 0; i < pendings.Length; i++)
        {
            replies[i] = await pendings[i].Task.ConfigureAwait(false);
        }
        return replies;
    }

    /// <summary>Sends PING and returns the round-trip time.</summary>
    public async Task<TimeSpan> PingRoundTripAsync(CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        await ExecuteAsync("PING", [], cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _timeoutSweep.DisposeAsync().ConfigureAwait(false);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await _connectionLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected: the loop stops by cancellation.
        }
        lock (_stateLock)
        {
            _connected.TrySetException(new ObjectDisposedException(nameof(RedisClient)));
        }
        _shutdown.Dispose();
    }

    private async Task<RedisReply> WaitForConnectionThenSendAsync(PendingReply last, RedisCommand[] commands, PendingReply[] pendings, CancellationToken cancellationToken)
    {
        while (true)
        {
            MultiplexedConnection? connection;
            Task connected;
            lock (_stateLock)
            {
                connection = _connection;
                connected = _connected.Task;
            }
            if (connection is not null && connection.TryEnqueue(pendings, commands))
            {
                return await last.Task.ConfigureAwait(false);
            }
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), last.DeadlineTimestamp);
            try
            {
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }
                await connected.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                var reason = _lastFailure?.Message ?? "still connecting";
                var failure = new RedisConnectionException(
                    $"Redis {last.Command} failed: not connected to {_endpoint} within {_options.SyncTimeout.TotalMilliseconds:0} ms ({reason}).", _lastFailure);
                foreach (var pending in pendings)
                {
                    pending.Fail(failure);
                }
                throw failure;
            }
        }
    }

    private async Task RunConnectionLoopAsync()
    {
        var attempt = 0;
        var token = _shutdown.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var transport = await RedisTransport.ConnectAsync(_options, _options.Protocol, token).ConfigureAwait(false);
                var connection = new MultiplexedConnection(transport, OnConnectionClosing);
                attempt = 0;
                lock (_stateLock)
                {
                    _connection = connection;
                    _lastFailure = null;
                    _connected.TrySetResult();
                }
                RedisLog.Connected(_logger, Role, _endpoint, (int)transport.Protocol);
                await connection.RunAsync(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                _lastFailure = ex;
                RedisLog.ConnectFailed(_logger, Role, _endpoint, ex.Message);
            }
            catch (Exception) when (token.IsCancellationRequested)
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

    private void OnConnectionClosing(MultiplexedConnection connection, Exception reason)
    {
        lock (_stateLock)
        {
            if (_connection == connection)
            {
                _connection = null;
                _connected = NewSignal();
            }
        }
        _lastFailure = reason;
        if (!_shutdown.IsCancellationRequested)
        {
            RedisLog.ConnectionLost(_logger, Role, _endpoint, reason.Message);
        }
    }

    private void SweepTimeouts() => Volatile.Read(ref _connection)?.SweepTimeouts(Stopwatch.GetTimestamp(), _options.SyncTimeout);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
