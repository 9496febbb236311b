using AceTrainer.ServiceDefaults.Health;
using AceTrainer.ServiceDefaults.Heartbeats;
using AceTrainer.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AceTrainer.ServiceDefaults;

/// <summary>
/// What every AceTrainer service shares, following Aspire's ServiceDefaults: telemetry, health
/// endpoints, problem-details errors, options binding and the heartbeat on Redis. Services also
/// call AddRedis("redis") and AddBlobs("blobs"), which add their health checks.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of the checks that only say the process runs (used by /alive).</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var identity = ServiceIdentity.From(builder);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddTelemetry(identity);

        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        // Checks run every heartbeat; the publisher logs health changes once instead of every failing run.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        builder.Services.AddHostedService<HeartbeatPublisher>();
        return builder;
    }

    /// <summary>Binds a configuration section to <typeparamref name="TOptions"/>, validated by data annotations at start-up.</summary>
    public static IHostApplicationBuilder AddValidatedOptions<TOptions>(this IHostApplicationBuilder builder, string section) where TOptions : class
    {
        builder.Services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }

    /// <summary>Problem-details errors for unhandled exceptions and bare status codes, then /health and /alive.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks("/alive", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        return app;
    }
}
