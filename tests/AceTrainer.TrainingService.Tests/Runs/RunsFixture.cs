using System.Net.Http.Json;
using AceTrainer.DatasetService.Extensions;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TestSupport;
using AceTrainer.TestSupport.Audio;
using AceTrainer.TrainingService.Extensions;
using Microsoft.AspNetCore.Builder;

namespace AceTrainer.TrainingService.Tests.Runs;

[CollectionDefinition(Name)]
public sealed class RunsCollection : ICollectionFixture<RunsFixture>
{
    public const string Name = "Runs";
}

/// <summary>
/// A redis-server, an in-memory Azurite, the DatasetService and the TrainingService (API + worker on the CPU, tiny model),
/// all real, on free loopback ports; short lease and upload intervals so tests see heartbeats and uploads quickly.
/// </summary>
public sealed class RunsFixture : IAsyncLifetime
{
    private WebApplication? _datasets;
    private WebApplication? _training;

    public RedisServer Redis { get; private set; } = null!;
    public AzuriteServer Azurite { get; private set; } = null!;
    public string DatasetUrl { get; private set; } = "";
    public string TrainingUrl { get; private set; } = "";
    public HttpClient Datasets { get; private set; } = null!;
    public HttpClient Training { get; private set; } = null!;
    public IServiceProvider TrainingServices => _training!.Services;

    /// <summary>Shared by every worker of the tests (also the killed-worker processes), so the tiny checkpoint is generated once.</summary>
    public string WorkDir { get; } = Directory.CreateTempSubdirectory("acetrainer-runs-work-").FullName;

    private readonly string _audio = Directory.CreateTempSubdirectory("acetrainer-runs-audio-").FullName;

    /// <summary>Settings of a TrainingService for these tests (configuration keys as in appsettings/environment).</summary>
    public Dictionary<string, string?> TrainingSettings(string workerId) => new()
    {
        ["ConnectionStrings:redis"] = Redis.ConnectionString,
        ["ConnectionStrings:blobs"] = Azurite.ConnectionString,
        ["services:datasetservice:http:0"] = DatasetUrl,
        ["Training:WorkDir"] = WorkDir,
        ["Training:WorkerId"] = workerId,
        ["Training:Device"] = "cpu",
        ["Training:PollInterval"] = "00:00:00.200",
        ["Training:UploadInterval"] = "00:00:02",
        ["Training:NvidiaSmi"] = "/nonexistent/nvidia-smi",
        ["Training:LyricVocab"] = SharedReference.LyricVocabulary,
        ["RunQueue:LeaseDuration"] = "00:00:06",
        ["RunQueue:SweepInterval"] = "00:00:01",
        ["RunQueue:BackoffBase"] = "00:00:01",
        ["RunQueue:BackoffMax"] = "00:00:02",
        ["RunQueue:MaxAttempts"] = "2",
    };

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartNewAsync();
        Azurite = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        (_datasets, DatasetUrl) = await InProcessService.StartAppAsync(b => b.BuildDatasetService(), new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = Redis.ConnectionString,
            ["ConnectionStrings:blobs"] = Azurite.ConnectionString,
            ["Datasets:StagingDirectory"] = Path.Combine(_audio, "staging"),
        });
        (_training, TrainingUrl) = await InProcessService.StartAppAsync(b => b.BuildTrainingService(), TrainingSettings("test-worker"));
        Datasets = new HttpClient { BaseAddress = new Uri(DatasetUrl), Timeout = TimeSpan.FromMinutes(2) };
        Training = new HttpClient { BaseAddress = new Uri(TrainingUrl), Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>A dataset of <paramref name="songs"/> ffmpeg tones (a few seconds each, prompts and lyrics) and its snapshot.</summary>
    public async Task<DatasetSnapshot> CreateSnapshotAsync(string name, int songs = 3)
    {
        var created = await Datasets.PostAsJsonAsync("/api/datasets", new CreateDatasetRequest(name, "tinysong"), JsonDefaults.Options);
        created.EnsureSuccessStatusCode();
        var dataset = (await created.Content.ReadFromJsonAsync<DatasetSummary>(JsonDefaults.Options))!;
        using var content = new MultipartFormDataContent();
        for (var i = 0; i < songs; i++)
        {
            var path = Path.Combine(_audio, $"{name}-{i}.mp3");
            if (!File.Exists(path)) await Ffmpeg.ToneAsync(path, 3 + i * 0.5, 220 + 110 * i);
            content.Add(new StringContent(i % 2 == 0 ? "lofi, piano" : "synthwave, bass"), "prompt");
            content.Add(new StringContent(i % 2 == 0 ? "la la la" : ""), "lyrics");
            content.Add(new StringContent((i % 2 == 1).ToString()), "instrumental");
            content.Add(new StreamContent(File.OpenRead(path)), "files", Path.GetFileName(path));
        }
        (await Datasets.PostAsync($"/api/datasets/{dataset.Id}/samples", content)).EnsureSuccessStatusCode();
        var snapshot = await Datasets.PostAsync($"/api/datasets/{dataset.Id}/snapshots", null);
        snapshot.EnsureSuccessStatusCode();
        return (await snapshot.Content.ReadFromJsonAsync<DatasetSnapshot>(JsonDefaults.Options))!;
    }

    /// <summary>A small, fast run config for the tiny model (run.json object).</summary>
    public static Dictionary<string, object?> TinyConfig(long maxSteps, long checkpointEvery) => new()
    {
        ["max_steps"] = maxSteps,
        ["checkpoint_every"] = checkpointEvery,
        ["learning_rate"] = 1e-3,
        ["warmup_steps"] = 2,
        ["seed"] = 7,
        ["prompt_variants"] = 1,
        ["lora"] = new Dictionary<string, object?> { ["r"] = 4, ["lora_alpha"] = 4, ["target_modules"] = new[] { "to_q", "to_k", "to_v" } },
    };

    public Task<RunRecord> WaitForStateAsync(string runId, Func<RunRecord, bool> done, TimeSpan timeout) =>
        WaitForStateAsync(Training, runId, done, timeout);

    /// <summary>Polls GET /api/runs/{id} on <paramref name="api"/> until <paramref name="done"/> holds.</summary>
    public static async Task<RunRecord> WaitForStateAsync(HttpClient api, string runId, Func<RunRecord, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        RunRecord? run = null;
        while (DateTime.UtcNow < deadline)
        {
            run = await api.GetFromJsonAsync<RunRecord>($"/api/runs/{runId}", JsonDefaults.Options);
            if (run is not null && done(run)) return run;
            await Task.Delay(100);
        }
        throw new TimeoutException($"run {runId} did not get there in {timeout}; last: {run?.State} step {run?.Progress.Step} error {run?.Error}");
    }

    public async Task DisposeAsync()
    {
        Datasets?.Dispose();
        Training?.Dispose();
        foreach (var app in new[] { _training, _datasets })
        {
            if (app is null) continue;
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await Azurite.DisposeAsync();
        await Redis.DisposeAsync();
        Directory.Delete(WorkDir, recursive: true);
        Directory.Delete(_audio, recursive: true);
    }
}
