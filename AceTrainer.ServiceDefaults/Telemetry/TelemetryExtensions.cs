using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
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
        var otlp = OtlpTarget.From(builder.Configuration);
        void Describe(ResourceBuilder resource) =>
            resource.AddService(identity.Name, serviceInstanceId: identity.InstanceId);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (otlp is not null) logging.AddOtlpExporter(o => otlp.Configure(o, "v1/logs"));
        });
        builder.Services.ConfigureOpenTelemetryLoggerProvider(logs => logs.ConfigureResource(Describe));

        // Created by a factory so the container owns and disposes it at shutdown (flushing what is
        // buffered); an instance registered as such would never be disposed.
        builder.Services.AddSingleton(_ => OpenTelemetrySdk.Create(otel =>
        {
            otel.ConfigureResource(Describe);
            otel.WithTracing(tracing => tracing.AddSource([.. FrameworkSources, SourcePrefix + "*"]));
            otel.WithMetrics(metrics => metrics.AddMeter([.. FrameworkMeters, SourcePrefix + "*"]));
            if (otlp is not null) otel.UseOtlpExporter(otlp.Protocol, otlp.Endpoint);
        }));
        builder.Services.AddHostedService<TelemetryStarter>();
        return builder;
    }
}

/// <summary>Resolving the SDK at start-up is what starts listening (the hosting package's job, which we cannot restore).</summary>
internal sealed class TelemetryStarter(OpenTelemetrySdk sdk) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => sdk is null ? Task.CompletedTask : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Where to export, from the standard OTEL_EXPORTER_OTLP_* settings; null when no endpoint is set, so
/// nothing is exported (as in Aspire's service defaults). Read from the host configuration rather than
/// left to the exporter, so in-memory configuration and environment variables behave the same.
/// </summary>
internal sealed record OtlpTarget(OtlpExportProtocol Protocol, Uri Endpoint)
{
    public static OtlpTarget? From(IConfiguration configuration)
    {
        var endpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return null;
        var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]?.Trim().ToLowerInvariant() switch
        {
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            var other => throw new InvalidOperationException($"OTEL_EXPORTER_OTLP_PROTOCOL '{other}' is not supported; use grpc or http/protobuf."),
        };
        return new OtlpTarget(protocol, new Uri(endpoint.TrimEnd('/') + "/"));
    }

    /// <summary>Per-signal exporter options: over HTTP the signal's path is part of the endpoint, over gRPC it is not.</summary>
    public void Configure(OtlpExporterOptions options, string signalPath)
    {
        options.Protocol = Protocol;
        options.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(Endpoint, signalPath) : Endpoint;
    }
}
