using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TrainingService.Apis;
using AceTrainer.TrainingService.Queue;
using AceTrainer.TrainingService.Runs;
using AceTrainer.TrainingService.Worker;

namespace AceTrainer.TrainingService.Extensions;

public static class TrainingServiceExtensions
{
    /// <summary>Everything Program.cs does between CreateBuilder and Run; tests build the service through it too.</summary>
    public static WebApplication BuildTrainingService(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddRedis("redis");
        builder.AddBlobs("blobs");
        builder.AddTrainingServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRunsApi();
        return app;
    }

    /// <summary>The Runs API's services, the queue and its sweeper, and the worker (unless Training:WorkerEnabled is false).</summary>
    public static IHostApplicationBuilder AddTrainingServices(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<TrainingOptions>(TrainingOptions.Section);
        var services = builder.Services;
        var queueOptions = builder.Configuration.GetSection("RunQueue").Get<RunQueueOptions>() ?? new RunQueueOptions();
        services.AddSingleton(sp => new RunQueue(sp.GetRequiredService<IRedisClient>(), queueOptions, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<RunQueueSweeper>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunLiveEvents>();
        services.AddSingleton<RunService>();
        services.AddSingleton<IRunQueueObserver>(sp => sp.GetRequiredService<RunService>());
        services.AddHttpClient<SnapshotClient>(SnapshotClient.Configure);
        services.AddSingleton<RunExecutor>();
        services.AddHostedService<TrainingWorker>();
        return builder;
    }
}
