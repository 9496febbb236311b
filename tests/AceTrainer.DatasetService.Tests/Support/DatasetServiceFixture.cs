using System.Net.Http.Json;
using AceTrainer.DatasetService.Apis;
using AceTrainer.DatasetService.Extensions;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AceTrainer.DatasetService.Tests.Support;

[CollectionDefinition(Name)]
public sealed class DatasetServiceCollection : ICollectionFixture<DatasetServiceFixture>
{
    public const string Name = "Dataset service";
}

/// <summary>
/// The dataset service wired as Program.cs wires it, on Kestrel on a free port, against a real redis-server and a real
/// (in-memory) Azurite. Limits are lowered so the tests can cross them with small files.
/// </summary>
public sealed class DatasetServiceFixture : IAsyncLifetime
{
    public const long MaxFileBytes = 5 * 1024 * 1024;
    public const int MaxZipEntries = 200;
    public const long MaxZipUncompressedBytes = 64 * 1024 * 1024;
    public const long MaxZipBytes = 16 * 1024 * 1024;
    public const string Container = "datasets";

    private RedisServer? _redis;
    private AzuriteServer? _azurite;
    private WebApplication? _app;

    public HttpClient Http { get; private set; } = null!;
    public IBlobStore Blobs => _app!.Services.GetRequiredService<IBlobStore>();
    public IRedisClient Redis => _app!.Services.GetRequiredService<IRedisClient>();
    public IServiceProvider Services => _app!.Services;
    public string StagingDirectory { get; } = Directory.CreateTempSubdirectory("dataset-staging-").FullName;
    public AudioFiles Audio { get; } = new();

    public async Task InitializeAsync()
    {
        var audio = Audio.GenerateAllAsync();
        _redis = await RedisServer.StartNewAsync();
        _azurite = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls(url);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = _redis.ConnectionString,
            ["ConnectionStrings:blobs"] = _azurite.ConnectionString,
            ["OTEL_SERVICE_NAME"] = "datasetservice-tests",
            ["Datasets:MaxFileBytes"] = MaxFileBytes.ToString(),
            ["Datasets:MaxZipEntries"] = MaxZipEntries.ToString(),
            ["Datasets:MaxZipUncompressedBytes"] = MaxZipUncompressedBytes.ToString(),
            ["Datasets:MaxZipBytes"] = MaxZipBytes.ToString(),
            ["Datasets:StagingDirectory"] = StagingDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddServiceDefaults();
        builder.AddRedis("redis");
        builder.AddBlobs("blobs");
        builder.AddDatasetServices();
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapDatasetsApi();
        await _app.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        await audio;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        Audio.Dispose();
        Directory.Delete(StagingDirectory, recursive: true);
    }

    public async Task<DatasetSummary> CreateDatasetAsync(string name = "test", string? trigger = null)
    {
        var response = await Http.PostAsJsonAsync("/api/datasets", new CreateDatasetRequest(name, trigger), Json.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DatasetSummary>(Json.Options))!;
    }

    /// <summary>Uploads files (each optionally preceded by stem/prompt/lyrics/instrumental fields) in one multipart request.</summary>
    public async Task<HttpResponseMessage> UploadAsync(string datasetId, IEnumerable<UploadPart> parts, string? onConflict = null)
    {
        using var content = new MultipartFormDataContent();
        foreach (var part in parts)
        {
            foreach (var (name, value) in part.Fields)
            {
                content.Add(new StringContent(value), name);
            }
            content.Add(new StreamContent(File.OpenRead(part.Path)), "files", part.FileName ?? Path.GetFileName(part.Path));
        }
        var query = onConflict is null ? "" : $"?onConflict={onConflict}";
        return await Http.PostAsync($"/api/datasets/{datasetId}/samples{query}", content);
    }

    public async Task<UploadResponse> UploadOkAsync(string datasetId, params UploadPart[] parts)
    {
        var response = await UploadAsync(datasetId, parts);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<UploadResponse>(Json.Options))!;
    }

    public async Task<IReadOnlyList<SampleResponse>> SamplesAsync(string datasetId) =>
        (await Http.GetFromJsonAsync<List<SampleResponse>>($"/api/datasets/{datasetId}/samples", Json.Options))!;

    public async Task<SampleResponse> SampleAsync(string datasetId, string stem) =>
        (await Http.GetFromJsonAsync<SampleResponse>($"/api/datasets/{datasetId}/samples/{stem}", Json.Options))!;

    public async Task<HttpResponseMessage> ImportAsync(string datasetId, byte[] zip, string? onConflict = null)
    {
        using var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new("application/zip");
        var query = onConflict is null ? "" : $"?onConflict={onConflict}";
        return await Http.PostAsync($"/api/datasets/{datasetId}/import{query}", content);
    }

    public async Task<ImportReport> ImportOkAsync(string datasetId, byte[] zip)
    {
        var response = await ImportAsync(datasetId, zip);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ImportReport>(Json.Options))!;
    }

    public async Task<List<string>> AllBlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var item in Blobs.ListAsync(Container))
        {
            names.Add(item.Name);
        }
        return names;
    }
}

public sealed record UploadPart(string Path, string? FileName = null, IReadOnlyDictionary<string, string>? FieldValues = null)
{
    public IEnumerable<KeyValuePair<string, string>> Fields => FieldValues ?? new Dictionary<string, string>();

    public static UploadPart Sample(string path, string prompt, string lyrics = "", bool instrumental = false, string? stem = null)
    {
        var fields = new Dictionary<string, string> { ["prompt"] = prompt, ["lyrics"] = lyrics, ["instrumental"] = instrumental.ToString() };
        if (stem is not null)
        {
            fields["stem"] = stem;
        }
        return new UploadPart(path, null, fields);
    }
}

public static class Json
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = JsonDefaults.Options;
}
