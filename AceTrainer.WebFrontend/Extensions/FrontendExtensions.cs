using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.WebFrontend.Hubs;
using AceTrainer.WebFrontend.Proxy;
using AceTrainer.WebFrontend.Runs;
using AceTrainer.WebFrontend.SystemStatus;

namespace AceTrainer.WebFrontend.Extensions;

public static class FrontendExtensions
{
    /// <summary>Everything Program.cs does between CreateBuilder and Run; tests and benchmarks build the portal through it too.</summary>
    public static WebApplication BuildWebFrontend(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddFrontendServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.UseStaticFiles();
        app.MapRazorPages();
        app.MapFrontendHubsAndApis();
        return app;
    }

    public static IHostApplicationBuilder AddFrontendServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedis("redis");
        builder.AddBlobs("blobs");
        builder.Services.AddRazorPages();
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<ServiceProxy>();
        builder.Services.AddSingleton<SystemStatusMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SystemStatusMonitor>());
        builder.Services.AddHostedService<RunEventRelay>();
        return builder;
    }

    public static WebApplication MapFrontendHubsAndApis(this WebApplication app)
    {
        app.MapHub<SystemHub>(SystemHub.Path);
        app.MapHub<RunsHub>(RunsHub.Path);
        app.MapGet("/api/system/status", (SystemStatusMonitor monitor) => monitor.Current);
        // The browser talks to the other services' APIs through the portal: one origin, and the services stay off the network.
        app.MapServiceProxy("datasetservice", "/api/datasets", "/api/snapshots");
        app.MapServiceProxy("trainingservice", "/api/runs");
        return app;
    }
}
