using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Runs;
using Xunit.Abstractions;

namespace AceTrainer.TrainingService.Tests.Runs;

[Collection(RunsCollection.Name)]
public sealed class RunLifecycleTests(RunsFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_run_trains_on_the_worker_and_leaves_its_history_checkpoints_and_files_in_storage()
    {
        var snapshot = await fixture.CreateSnapshotAsync("lifecycle");
        var response = await fixture.Training.PostAsJsonAsync("/api/runs",
            new { name = "first run", snapshotId = snapshot.Id, config = RunsFixture.TinyConfig(12, 5) }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<RunRecord>(JsonDefaults.Options))!;
        Assert.Equal(RunState.Queued, created.State);
        Assert.Equal(12, created.Progress.TotalSteps);
        Assert.Equal($"/api/runs/{created.Id}", response.Headers.Location?.ToString());

        var done = await fixture.WaitForStateAsync(created.Id, r => r.State.IsFinal(), TimeSpan.FromMinutes(4));
        output.WriteLine(await fixture.Training.GetStringAsync($"/api/runs/{created.Id}/log"));
        Assert.Equal(RunState.Completed, done.State);
        Assert.Null(done.Error);
        Assert.Equal(1, done.Attempts);
        Assert.Equal(12, done.Progress.Step);
        Assert.Equal(["epoch=1-step=5_lora", "epoch=3-step=10_lora", "epoch=3-step=12_lora"], done.Checkpoints.Select(c => c.Name));
        Assert.All(done.Checkpoints, c => Assert.True(c.SizeBytes > 0));
        Assert.NotNull(done.StartedAt);
        Assert.NotNull(done.FinishedAt);
        Assert.Equal(4, done.Config.GetProperty("lora").GetProperty("r").GetInt32());

        using var history = JsonDocument.Parse(await fixture.Training.GetStringAsync($"/api/runs/{created.Id}/history"));
        var metrics = history.RootElement.GetProperty("metrics");
        Assert.Equal(Enumerable.Range(1, 12), metrics.GetProperty("step").EnumerateArray().Select(s => s.GetInt32()));
        Assert.All(metrics.GetProperty("loss").EnumerateArray(), l => Assert.True(l.GetDouble() > 0));
        var events = history.RootElement.GetProperty("events").Deserialize<List<RunEventEntry>>(JsonDefaults.Options)!;
        Assert.Equal(3, events.Count(e => e.Event.Type == RunEvent.CheckpointType));
        Assert.Equal([RunState.Queued, RunState.Preparing, RunState.Training, RunState.Completed],
            events.Where(e => e.Event.Type == RunEvent.StateType).Select(e => e.Event.State!.Value));
        var gpu = Assert.Single(events, e => e.Event.Type == RunEvent.GpuType).Event.Gpu!;
        Assert.False(gpu.Available);
        Assert.Equal("this worker has no NVIDIA driver tools (/nonexistent/nvidia-smi not found)", gpu.Reason);

        var adapter = await fixture.Training.GetAsync($"/api/runs/{created.Id}/checkpoints/epoch=3-step=12_lora/adapter");
        Assert.Equal(HttpStatusCode.OK, adapter.StatusCode);
        Assert.Equal("first_run-epoch=3-step=12_lora.safetensors", adapter.Content.Headers.ContentDisposition?.FileNameStar ?? adapter.Content.Headers.ContentDisposition?.FileName);
        var keys = SafetensorsKeys(await adapter.Content.ReadAsByteArrayAsync());
        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Matches(@"\.lora_[AB]\.weight$", k));

        var metricsFile = await fixture.Training.GetStringAsync($"/api/runs/{created.Id}/metrics");
        Assert.Equal(12, metricsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        using var zip = new ZipArchive(await fixture.Training.GetStreamAsync($"/api/runs/{created.Id}/tensorboard"));
        Assert.Contains(zip.Entries, e => e.Name.StartsWith("events.out.tfevents.", StringComparison.Ordinal) && e.Length > 0);
        Assert.Contains("snapshot", await fixture.Training.GetStringAsync($"/api/runs/{created.Id}/log"));
    }

    /// <summary>The tensor names of a safetensors file (its JSON header).</summary>
    public static IReadOnlyList<string> SafetensorsKeys(byte[] file)
    {
        var length = BitConverter.ToInt64(file, 0);
        using var header = JsonDocument.Parse(file.AsMemory(8, (int)length));
        return header.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToList();
    }
}
