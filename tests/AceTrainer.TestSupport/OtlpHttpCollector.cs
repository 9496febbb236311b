using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace AceTrainer.TestSupport;

/// <summary>Accepts OTLP/HTTP posts on a loopback port and records each signal path with its body (protobuf: names and strings stay readable).</summary>
public sealed class OtlpHttpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public OtlpHttpCollector()
    {
        Endpoint = $"http://127.0.0.1:{FreePort.Next()}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public string Endpoint { get; }

    public ConcurrentBag<string> Paths { get; } = [];

    /// <summary>Each body as Latin-1 text, so metric names and attribute values can be searched for.</summary>
    public ConcurrentQueue<(string Path, string Body)> Posts { get; } = [];

    private async Task AcceptAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var path = context.Request.Url!.AbsolutePath;
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            Paths.Add(path);
            Posts.Enqueue((path, Encoding.Latin1.GetString(body.ToArray())));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
