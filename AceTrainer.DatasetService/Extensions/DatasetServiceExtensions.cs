using AceTrainer.DatasetService.Apis;
using AceTrainer.DatasetService.Audio;
using AceTrainer.DatasetService.Ingest;
using AceTrainer.DatasetService.Prompts;
using AceTrainer.DatasetService.Samples;
using AceTrainer.DatasetService.Snapshots;
using AceTrainer.DatasetService.Storage;
using AceTrainer.DatasetService.Zip;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Extensions;

public static class DatasetServiceExtensions
{
    /// <summary>Everything Program.cs does between CreateBuilder and Run; tests and benchmarks build the service through it too.</summary>
    public static WebApplication BuildDatasetService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddRedis("redis");
        builder.AddBlobs("blobs");
        builder.AddDatasetServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapDatasetsApi();
        return app;
    }

    /// <summary>The dataset services over the shared blob store and Redis (both registered by the caller).</summary>
    public static IHostApplicationBuilder AddDatasetServices(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<DatasetOptions>(DatasetOptions.Section);
        var services = builder.Services;
        services.AddSingleton<DatasetStore>();
        services.AddSingleton<SummaryCache>();
        services.AddSingleton<DatasetCatalog>();
        services.AddSingleton<AudioProber>();
        services.AddSingleton<SampleIngestor>();
        services.AddSingleton<SampleService>();
        services.AddSingleton<PromptEditor>();
        services.AddSingleton<ZipImporter>();
        services.AddSingleton<ZipExporter>();
        services.AddSingleton<SnapshotService>();
        services.AddHostedService<ContainerInitializer>();
        return builder;
    }

    /// <summary>Creates the datasets container before the service takes requests.</summary>
    private sealed class ContainerInitializer(IBlobStore blobs, IOptions<DatasetOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            blobs.CreateContainerIfNotExistsAsync(options.Value.Container, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
