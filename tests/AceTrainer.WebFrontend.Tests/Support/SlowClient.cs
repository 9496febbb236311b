using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AceTrainer.WebFrontend.Hubs;

namespace AceTrainer.WebFrontend.Tests.Support;

/// <summary>
/// A SignalR client (raw WebSocket, JSON protocol) that watches a run and then stops reading until told to go on, like
/// a browser tab on a stalled link: the server's sends to it back up. Its socket's receive buffer is pinned small so
/// the backlog builds within megabytes, not the tens the kernel would otherwise let it grow to.
/// </summary>
public sealed class SlowClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { ConnectCallback = ConnectWithSmallReceiveBufferAsync });

    // Text received but not yet split into records (a record can span reads).
    private readonly StringBuilder _pending = new();

    public static async Task<SlowClient> ConnectAndWatchAsync(string portalUrl, string runId)
    {
        var client = new SlowClient();
        await client._socket.ConnectAsync(new Uri("ws" + portalUrl["http".Length..] + RunsHub.Path), client._invoker, CancellationToken.None);
        await client.SendAsync("""{"protocol":"json","version":1}""");
        await client.ReadRecordsUntilAsync(record => record == "{}", TimeSpan.FromSeconds(20));
        await client.SendAsync($$"""{"type":1,"invocationId":"1","target":"Watch","arguments":["{{runId}}"]}""");
        await client.ReadRecordsUntilAsync(record => record.Contains("\"type\":3", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        return client;
    }

    /// <summary>Reads again, and returns the run events received until the one with <paramref name="lastId"/>.</summary>
    public async Task<List<RelayedEvent>> ReadEventsUntilAsync(string lastId, TimeSpan limit)
    {
        var events = new List<RelayedEvent>();
        await ReadRecordsUntilAsync(record =>
        {
            using var message = JsonDocument.Parse(record);
            if (message.RootElement.GetProperty("type").GetInt32() != 1 || message.RootElement.GetProperty("target").GetString() != RunsHub.EventMethod)
            {
                return false;
            }
            var arguments = message.RootElement.GetProperty("arguments");
            events.Add(new RelayedEvent(arguments[0].GetString()!, arguments[1].GetString()!, arguments[2].GetString()!));
            return events[^1].Id == lastId;
        }, limit);
        return events;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        return ValueTask.CompletedTask;
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

    private Task SendAsync(string message) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(message + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Reads records (JSON messages ended by 0x1E) until <paramref name="isLast"/> says so.</summary>
    private async Task ReadRecordsUntilAsync(Func<string, bool> isLast, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var buffer = new byte[64 * 1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (true)
        {
            var end = _pending.ToString().IndexOf(RecordSeparator);
            if (end >= 0)
            {
                var record = _pending.ToString(0, end);
                _pending.Remove(0, end + 1);
                if (isLast(record)) return;
                continue;
            }
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            _pending.Append(chars, 0, decoder.GetChars(buffer, 0, result.Count, chars, 0));
        }
    }
}
