using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using AceTrainer.WebFrontend.Hubs;

namespace AceTrainer.WebFrontend.Tests.Support;

/// <summary>
/// A SignalR client (raw WebSocket, JSON protocol) that watches a run and then never reads again, like a browser tab
/// on a dead network that still sends pings: the server cannot time it out, and its sends to it back up. Its socket's
/// receive buffer is pinned small so that takes megabytes, not the tens the kernel would otherwise grow it to.
/// </summary>
public sealed class StalledClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly CancellationTokenSource _stop = new();
    private Task _pings = Task.CompletedTask;

    private StalledClient(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    /// <summary>Set when a ping could not be sent: the server dropped the connection.</summary>
    public Exception? PingFailure { get; private set; }

    public static async Task<StalledClient> ConnectAndWatchAsync(string portalUrl, string runId)
    {
        var handler = new SocketsHttpHandler { ConnectCallback = ConnectWithSmallReceiveBufferAsync };
        var client = new StalledClient(new ClientWebSocket(), new HttpMessageInvoker(handler));
        await client._socket.ConnectAsync(new Uri("ws" + portalUrl["http".Length..] + RunsHub.Path), client._invoker, CancellationToken.None);
        await client.SendAsync("""{"protocol":"json","version":1}""");
        await client.ReadUntilAsync("{}" + RecordSeparator);
        await client.SendAsync($$"""{"type":1,"invocationId":"1","target":"Watch","arguments":["{{runId}}"]}""");
        await client.ReadUntilAsync("\"type\":3");
        client._pings = client.PingAsync();
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pings;
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        _stop.Dispose();
    }

    private static async ValueTask<Stream> ConnectWithSmallReceiveBufferAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task PingAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await SendAsync("""{"type":6}""");
                await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            PingFailure = ex;
        }
    }

    private Task SendAsync(string message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);

    private async Task ReadUntilAsync(string expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }
}
