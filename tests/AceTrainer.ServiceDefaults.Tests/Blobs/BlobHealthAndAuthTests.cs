using System.Net;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public sealed class BlobHealthAndAuthTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Wrong_account_key_gives_a_clear_authentication_error()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var connection = BlobConnectionOptions.Parse(
            $"AccountName={AzuriteServer.AccountName};AccountKey={wrongKey};BlobEndpoint={azurite.Server.BlobEndpoint}");
        using var store = new AzureBlobStore(connection);

        var error = await Assert.ThrowsAsync<BlobAuthenticationException>(() => store.PingAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Contains("AccountKey", error.Message);
    }

    [Fact]
    public async Task AddBlobs_registers_the_store_and_a_health_check_named_after_the_connection()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["ConnectionStrings:blobs"] = azurite.Server.ConnectionString;

        builder.AddBlobs("blobs");
        using var host = builder.Build();

        var store = host.Services.GetRequiredService<IBlobStore>();
        Assert.Same(store, host.Services.GetRequiredService<IBlobStore>());
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["blobs"].Status);
    }

    [Fact]
    public void AddBlobs_without_a_connection_string_names_the_missing_key()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddBlobs("datasets"));

        Assert.Contains("ConnectionStrings:datasets", error.Message);
    }

    [Fact]
    public void AddBlobs_with_a_malformed_connection_string_fails_at_startup()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["ConnectionStrings:blobs"] = "AccountName=x";

        Assert.Throws<ArgumentException>(() => builder.AddBlobs("blobs"));
    }

    [Fact]
    public async Task Health_check_is_unhealthy_while_azurite_is_stopped_and_healthy_after_restart()
    {
        await using var server = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        using var store = new AzureBlobStore(BlobConnectionOptions.Parse(server.ConnectionString));
        var check = new BlobStorageHealthCheck(store);
        var context = new HealthCheckContext();

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);

        await server.StopAsync();
        Assert.False(server.IsRunning);
        var down = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.StartsWith("blob storage unreachable: ", down.Description);

        await server.StartAsync();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
    }

    [Fact]
    public async Task Health_check_reports_a_timeout_when_the_service_does_not_answer()
    {
        // A listener that accepts connections but never answers: the ping must give up at the deadline.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var store = new AzureBlobStore(BlobConnectionOptions.Parse(
            $"AccountName=devstoreaccount1;AccountKey={AzuriteServer.AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1"));

        var result = await new BlobStorageHealthCheck(store, TimeSpan.FromMilliseconds(300)).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("no answer within", result.Description);
    }
}
