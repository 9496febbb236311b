using System.Net;
using System.Text.Json;
using AceTrainer.ServiceDefaults.Heartbeats;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AceTrainer.ServiceDefaults.Tests.Wiring;

public sealed class ServiceDefaultsTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private AzuriteServer _azurite = null!;
    private TestService _service = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartNewAsync();
        _azurite = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        _service = await TestService.StartAsync(_redis.ConnectionString, _azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _azurite.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Health_is_200_with_each_dependency_when_redis_and_blobs_answer()
    {
        var (status, body) = await WaitForHealthAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("wiringtest", body.GetProperty("service").GetString());
        var checks = Checks(body);
        Assert.Equal("Healthy", checks["redis"]);
        Assert.Equal("Healthy", checks["blobs"]);
    }

    [Fact]
    public async Task Health_is_503_naming_redis_while_redis_is_down_and_200_again_after()
    {
        await WaitForHealthAsync(HttpStatusCode.OK);
        await _redis.StopAsync();

        var (status, body) = await WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", Checks(body)["redis"]);
        Assert.Equal("Healthy", Checks(body)["blobs"]);
        Assert.Contains("redis", body.ToString(), StringComparison.OrdinalIgnoreCase);

        // Liveness does not depend on Redis: the process is fine, only a dependency is not.
        Assert.Equal(HttpStatusCode.OK, (await _service.Http.GetAsync("/alive")).StatusCode);

        await _redis.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await WaitForHealthAsync(HttpStatusCode.OK)).Status);
    }

    [Fact]
    public async Task Health_is_503_naming_blobs_while_blob_storage_is_down()
    {
        await WaitForHealthAsync(HttpStatusCode.OK);
        await _azurite.StopAsync();

        var (status, body) = await WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", Checks(body)["blobs"]);
        Assert.Equal("Healthy", Checks(body)["redis"]);
    }

    [Fact]
    public async Task An_unhandled_exception_becomes_a_problem_details_500()
    {
        var response = await _service.Http.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_unknown_route_is_a_problem_details_404()
    {
        var response = await _service.Http.GetAsync("/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_service_publishes_heartbeats_with_its_health_on_redis()
    {
        var received = new TaskCompletionSource<ServiceHeartbeat>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscriber = new RedisSubscriber(RedisConnectionOptions.Parse(_redis.ConnectionString), NullLogger<RedisSubscriber>.Instance);
        await using var subscription = await subscriber.SubscribeAsync(ServiceHeartbeat.Channel, message =>
        {
            var beat = JsonSerializer.Deserialize<ServiceHeartbeat>(message.Payload.Span, JsonDefaults.Options)!;
            if (beat.Service == "wiringtest" && beat.Status == "Healthy") received.TrySetResult(beat);
            return Task.CompletedTask;
        });

        var heartbeat = await received.Task.WaitAsync(ServiceHeartbeat.Interval * 4);

        Assert.Contains(heartbeat.Checks, c => c.Name == "redis" && c.Status == "Healthy");
        Assert.Contains(heartbeat.Checks, c => c.Name == "blobs" && c.Status == "Healthy");
        Assert.True(heartbeat.SentAt >= heartbeat.StartedAt);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> WaitForHealthAsync(HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var response = await _service.Http.GetAsync("/health");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (response.StatusCode == wanted || DateTime.UtcNow > deadline) return (response.StatusCode, body);
            await Task.Delay(250);
        }
    }

    private static Dictionary<string, string> Checks(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString()!);
}
