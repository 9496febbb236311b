using AceTrainer.TestSupport;

namespace AceTrainer.ServiceDefaults.Tests.Wiring;

public sealed class TelemetryExportTests
{
    [Fact]
    public async Task Traces_metrics_and_logs_go_to_the_configured_otlp_http_endpoint()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var azurite = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        using var collector = new OtlpHttpCollector();

        var service = await TestService.StartAsync(redis.ConnectionString, azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        await service.Http.GetAsync("/health");
        await service.Http.GetAsync("/boom");
        // Stopping the host disposes the SDK, which flushes every signal.
        await service.DisposeAsync();

        Assert.Contains("/v1/traces", collector.Paths);
        Assert.Contains("/v1/metrics", collector.Paths);
        Assert.Contains("/v1/logs", collector.Paths);
    }

    [Fact]
    public async Task Nothing_is_exported_when_no_endpoint_is_configured()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var azurite = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        using var collector = new OtlpHttpCollector();

        var service = await TestService.StartAsync(redis.ConnectionString, azurite.ConnectionString);
        await service.Http.GetAsync("/health");
        await service.DisposeAsync();

        Assert.Empty(collector.Paths);
    }
}
