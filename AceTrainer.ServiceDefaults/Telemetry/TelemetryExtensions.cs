using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AceTrainer.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry logs, metrics and traces. OpenTelemetry.Extensions.Hosting and the instrumentation
/// packages cannot be restored here, so traces and metrics come from the SDK listening to the
/// ActivitySources and Meters that ASP.NET Core, HttpClient and the runtime publish themselves.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>Prefix of our own ActivitySources and Meters (e.g. "AceTrainer.Training").</summary>
    public const string SourcePrefix = "AceTrainer.";

    private static readonly string[] FrameworkSources = ["Microsoft.AspNetCore", "System.Net.Http"];

    private static readonly string[] FrameworkMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "System.Net.Http", "System.Runtime",
    ];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, ServiceIdentity identity)
    {
        // The exporter is added only when an OTLP endpoint is configured, as Aspire's service defaults do.
        var exportOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        void Describe(ResourceBuilder resource) =>
            resource.AddService(identity.Name, serviceInstanceId: identity.InstanceId);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (exportOtlp) logging.AddOtlpExporter();
        });
        builder.Services.ConfigureOpenTelemetryLoggerProvider(logs => logs.ConfigureResource(Describe));

        var sdk = OpenTelemetrySdk.Create(otel =>
        {
            otel.ConfigureResource(Describe);
            otel.WithTracing(tracing => tracing.AddSource([.. FrameworkSources, SourcePrefix + "*"]));
            otel.WithMetrics(metrics => metrics.AddMeter([.. FrameworkMeters, SourcePrefix + "*"]));
            if (exportOtlp) otel.UseOtlpExporter();
        });
        // Registered as an instance so the container disposes it at shutdown, flushing what is buffered.
        builder.Services.AddSingleton(sdk);
        return builder;
    }
}
