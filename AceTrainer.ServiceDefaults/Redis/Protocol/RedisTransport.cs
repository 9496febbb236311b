using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;

namespace AceTrainer.ServiceDefaults.Redis.Protocol;

/// <summary>One authenticated socket to Redis: a stream for writes and a pipe reader for replies.</summary>
internal sealed class RedisTransport : IAsyncDisposable
{
    private readonly Socket _socket;

    private RedisTransport(Socket socket, Stream stream, RedisProtocol protocol)
    {
        _socket = socket;
        Stream = stream;
        Protocol = protocol;
        Reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));
    }

    public Stream Stream { get; }
    public PipeReader Reader { get; }

    /// <summary>The protocol actually negotiated (RESP2 when the server refused HELLO 3).</summary>
    public RedisProtocol Protocol { get; private set; }

    /// <summary>Connects, then authenticates and selects the database; throws on any failure.</summary>
    public static async Task<RedisTransport> ConnectAsync(RedisConnectionOptions options, RedisProtocol protocol, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RedisTransport? transport = null;
        try
        {
            try
            {
                await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
                Stream stream = new NetworkStream(socket, ownsSocket: false);
                if (options.Ssl)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.Host }, timeout.Token).ConfigureAwait(false);
                    stream = ssl;
                }
                transport = new RedisTransport(socket, stream, protocol);
                await transport.HandshakeAsync(options, timeout.Token).ConfigureAwait(false);
                return transport;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new RedisConnectionException($"Connecting to {options.Host}:{options.Port} timed out after {options.ConnectTimeout.TotalMilliseconds:0} ms.");
            }
        }
        catch
        {
            if (transport is not null) await transport.DisposeAsync().ConfigureAwait(false);
            else socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and reads its reply; only for the handshake and the subscriber's own loop.</summary>
    public async Task<RedisReply> RoundTripAsync(string command, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken)
    {
        await SendAsync(command, args, cancellationToken).ConfigureAwait(false);
        return await ReadReplyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task SendAsync(string command, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBufferWriter();
        RespEncoder.WriteCommand(buffer, command, args);
        await Stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the next reply, error replies included (callers decide whether they are fatal).</summary>
    public async Task<RedisReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var sequence = new SequenceReader<byte>(result.Buffer);
            if (RespParser.TryRead(ref sequence, out var reply))
            {
                Reader.AdvanceTo(sequence.Position);
                return reply;
            }
            Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new RedisConnectionException("The server closed the connection.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer; nothing to shut down.
        }
        catch (ObjectDisposedException)
        {
            // Disposed twice; harmless.
        }
        await Reader.CompleteAsync().ConfigureAwait(false);
        await Stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task HandshakeAsync(RedisConnectionOptions options, CancellationToken cancellationToken)
    {
        var authenticated = false;
        if (Protocol == RedisProtocol.Resp3)
        {
            var hello = new List<RedisArg> { 3 };
            if (options.Password is not null)
            {
                hello.AddRange(["AUTH", options.User ?? "default", options.Password]);
            }
            if (options.ClientName is not null)
            {
                hello.AddRange(["SETNAME", options.ClientName]);
            }
            var reply = await RoundTripAsync("HELLO", hello, cancellationToken).ConfigureAwait(false);
            if (reply.Kind != RedisReplyKind.Error)
            {
                authenticated = true;
            }
            else if (IsHelloUnsupported(reply.AsString()!))
            {
                Protocol = RedisProtocol.Resp2;
            }
            else
            {
                throw new RedisConnectionException($"Redis handshake failed: {reply.AsString()}");
            }
        }
        if (!authenticated && options.Password is not null)
        {
            RedisArg[] auth = options.User is null ? [options.Password] : [options.User, options.Password];
            await ExpectOkAsync("AUTH", auth, "authentication failed", cancellationToken).ConfigureAwait(false);
        }
        if (Protocol == RedisProtocol.Resp2 && options.ClientName is not null)
        {
            await ExpectOkAsync("CLIENT", ["SETNAME", options.ClientName], "CLIENT SETNAME failed", cancellationToken).ConfigureAwait(false);
        }
        if (options.DefaultDatabase != 0)
        {
            await ExpectOkAsync("SELECT", [options.DefaultDatabase], "SELECT failed", cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsHelloUnsupported(string error) =>
        error.StartsWith("NOPROTO", StringComparison.Ordinal) || error.Contains("unknown command", StringComparison.OrdinalIgnoreCase);

    private async Task ExpectOkAsync(string command, IReadOnlyList<RedisArg> args, string what, CancellationToken cancellationToken)
    {
        var reply = await RoundTripAsync(command, args, cancellationToken).ConfigureAwait(false);
        if (reply.Kind == RedisReplyKind.Error)
        {
            throw new RedisConnectionException($"Redis {what}: {reply.AsString()}");
        }
    }
}
