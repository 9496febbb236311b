using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.WebFrontend.Hubs;
using AceTrainer.WebFrontend.Proxy;
using AceTrainer.WebFrontend.SystemStatus;

namespace AceTrainer.WebFrontend.Extensions;

public static class FrontendExtensions
{
    public static IHostApplicationBuilder AddFrontendServices(this IHostApplicationBuilder builder)
    {
        builder.AddRedis("redis");
        builder.AddBlobs("blobs");
        builder.Services.AddRazorPages();
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<ServiceProxy>();
        builder.Services.AddSingleton<SystemStatusMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SystemStatusMonitor>());
        return builder;
    }

    public static WebApplication MapFrontendHubsAndApis(this WebApplication app)
    {
        app.MapHub<SystemHub>(SystemHub.Path);
        app.MapGet("/api/system/status", (SystemStatusMonitor monitor) => monitor.Current);
        // The browser talks to the dataset API through the portal: one origin, and the services stay off the network.
        app.MapServiceProxy("datasetservice", "/api/datasets", "/api/snapshots");
        return app;
    }
}
