using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using AceTrainer.WebFrontend.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AceTrainer.WebFrontend.Tests.Support;

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "Portal";
}

/// <summary>
/// The portal built as Program.cs builds it, against a real redis-server and Azurite, with a small HTTP server standing
/// in for the TrainingService at services:trainingservice:http:0 that answers every request with what it received.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private InProcessService? _portal;
    private WebApplication? _trainingService;

    public InProcessService Portal => _portal!;

    /// <summary>Publishes as the worker does, on the portal's Redis.</summary>
    public RunEventPublisher Publisher { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var trainingServiceUrl = $"http://127.0.0.1:{FreePort.Next()}";
        _trainingService = EchoServer(trainingServiceUrl);
        await _trainingService.StartAsync();
        _portal = await InProcessService.StartAsync(builder => builder.BuildWebFrontend(), new Dictionary<string, string?>
        {
            ["OTEL_SERVICE_NAME"] = "webfrontend-tests",
            ["services:trainingservice:http:0"] = trainingServiceUrl,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        Publisher = new RunEventPublisher(_portal.Services.GetRequiredService<IRedisClient>());
    }

    public async Task DisposeAsync()
    {
        if (_portal is not null) await _portal.DisposeAsync();
        if (_trainingService is not null) await _trainingService.DisposeAsync();
    }

    public async Task<RunWatcher> ConnectAsync() => await RunWatcher.ConnectAsync(Portal.Url);

    private static WebApplication EchoServer(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.Run(async context =>
        {
            using var body = new StreamReader(context.Request.Body);
            await context.Response.WriteAsJsonAsync(new EchoedRequest(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "",
                context.Request.Headers.ContentType.ToString(), await body.ReadToEndAsync()));
        });
        return app;
    }
}

/// <summary>What the TrainingService stand-in received.</summary>
public sealed record EchoedRequest(string Method, string Path, string Query, string ContentType, string Body);
