using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace AceTrainer.TestSupport;

/// <summary>
/// A service built the way its Program.cs builds it, on Kestrel on a free loopback port, against a redis-server and an
/// in-memory Azurite of its own (wired as ConnectionStrings:redis and ConnectionStrings:blobs).
/// </summary>
public sealed class InProcessService : IAsyncDisposable
{
    private readonly RedisServer _redis;
    private readonly AzuriteServer _azurite;

    private InProcessService(RedisServer redis, AzuriteServer azurite, WebApplication app, string url)
    {
        _redis = redis;
        _azurite = azurite;
        App = app;
        Url = url;
    }

    public WebApplication App { get; }

    /// <summary>The service's redis-server (stop and start it to test reconnects).</summary>
    public RedisServer Redis => _redis;
    public string Url { get; }
    public IServiceProvider Services => App.Services;

    /// <param name="build">What Program.cs does between CreateBuilder and Run.</param>
    /// <param name="settings">Configuration on top of the connection strings (e.g. lowered limits).</param>
    public static async Task<InProcessService> StartAsync(Func<WebApplicationBuilder, WebApplication> build,
        IReadOnlyDictionary<string, string?> settings)
    {
        var redis = await RedisServer.StartNewAsync();
        var azurite = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        var (app, url) = await StartAppAsync(build, new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:redis"] = redis.ConnectionString,
            ["ConnectionStrings:blobs"] = azurite.ConnectionString,
        });
        return new InProcessService(redis, azurite, app, url);
    }

    /// <summary>
    /// Only the service, on a free loopback port, with exactly <paramref name="settings"/> as extra configuration (for
    /// tests that run several services against servers they share); the caller stops and disposes it.
    /// </summary>
    public static async Task<(WebApplication App, string Url)> StartAppAsync(Func<WebApplicationBuilder, WebApplication> build,
        IReadOnlyDictionary<string, string?> settings)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls(url);
        builder.Configuration.AddInMemoryCollection(settings);
        var app = build(builder);
        await app.StartAsync();
        return (app, url);
    }

    public HttpClient CreateClient(TimeSpan timeout) => new() { BaseAddress = new Uri(Url), Timeout = timeout };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await _azurite.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
