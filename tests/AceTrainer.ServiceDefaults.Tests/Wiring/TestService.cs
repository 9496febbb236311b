using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace AceTrainer.ServiceDefaults.Tests.Wiring;

/// <summary>A real Kestrel service wired exactly as ours are (AddServiceDefaults + AddRedis + AddBlobs), on a free port.</summary>
internal sealed class TestService : IAsyncDisposable
{
    private TestService(WebApplication app, string baseUrl)
    {
        App = app;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
    }

    public WebApplication App { get; }
    public HttpClient Http { get; }

    public static async Task<TestService> StartAsync(string redis, string blobs, IDictionary<string, string?>? settings = null)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls(url);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["ConnectionStrings:blobs"] = blobs,
            ["OTEL_SERVICE_NAME"] = "wiringtest",
        }.Concat(settings ?? new Dictionary<string, string?>()));
        builder.AddServiceDefaults();
        builder.AddRedis("redis");
        builder.AddBlobs("blobs");

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/boom", string () => throw new InvalidOperationException("boom"));
        await app.StartAsync();
        return new TestService(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
