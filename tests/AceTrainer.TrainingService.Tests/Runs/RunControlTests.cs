using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace AceTrainer.TrainingService.Tests.Runs;

[Collection(RunsCollection.Name)]
public sealed class RunControlTests(RunsFixture fixture)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> PostRunAsync(object request)
    {
        var response = await fixture.Training.PostAsJsonAsync("/api/runs", request, JsonDefaults.Options);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private Task<RunRecord> StartAsync(string snapshotId, long steps, long checkpointEvery, DateTimeOffset? notBefore = null) =>
        StartAsync(snapshotId, RunsFixture.TinyConfig(steps, checkpointEvery), notBefore);

    private async Task<RunRecord> StartAsync(string snapshotId, Dictionary<string, object?> config, DateTimeOffset? notBefore = null)
    {
        var (status, body) = await PostRunAsync(new { snapshotId, config, notBefore });
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        Assert.Equal(notBefore is null ? "queued" : "scheduled", body.GetProperty("state").GetString());
        return body.Deserialize<RunRecord>(JsonDefaults.Options)!;
    }

    private static IReadOnlyDictionary<string, string[]> Errors(JsonElement problem) =>
        problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;

    [Fact]
    public async Task Bad_requests_get_field_level_problem_details_and_create_nothing()
    {
        var snapshot = await fixture.CreateSnapshotAsync("validation", songs: 1);
        var before = (await fixture.Training.GetFromJsonAsync<List<RunRecord>>("/api/runs", JsonDefaults.Options))!.Count;

        var (status, body) = await PostRunAsync(new { config = new { learning_rate = -1, max_steps = 0, epochs = 0, lora = new { r = 0 } } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = Errors(body);
        Assert.Contains("snapshotId", errors.Keys);
        Assert.Contains("learning_rate", errors.Keys);
        Assert.Contains("max_steps", errors.Keys);
        Assert.Contains(errors.Keys, k => k.StartsWith("lora", StringComparison.Ordinal));
        Assert.Equal(400, body.GetProperty("status").GetInt32());

        Assert.Contains("learning_rate", Errors((await PostRunAsync(new { snapshotId = snapshot.Id, config = new Dictionary<string, object> { ["learning_rate"] = "NaN" } })).Body).Keys);
        Assert.Equal("unknown field", Errors((await PostRunAsync(new { snapshotId = snapshot.Id, config = new { bogus = 1 } })).Body)["bogus"][0]);
        Assert.Contains("dataset_dir", Errors((await PostRunAsync(new { snapshotId = snapshot.Id, config = new { dataset_dir = "/etc" } })).Body).Keys);
        Assert.Contains("does not exist", Errors((await PostRunAsync(new { snapshotId = "nope", config = new { } })).Body)["snapshotId"][0]);
        Assert.Contains("config", Errors((await PostRunAsync(new { snapshotId = snapshot.Id })).Body).Keys);
        Assert.Contains("init_lora", Errors((await PostRunAsync(new { snapshotId = snapshot.Id, config = new { init_lora = "run:nosuchrun/epoch=0-step=1_lora" } })).Body).Keys);

        Assert.Contains("lora.r", Errors((await PostRunAsync(new { snapshotId = snapshot.Id, config = new { lora = new { r = "sixteen" } } })).Body).Keys);
        using var broken = await fixture.Training.PostAsync("/api/runs", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);

        Assert.Equal(before, (await fixture.Training.GetFromJsonAsync<List<RunRecord>>("/api/runs", JsonDefaults.Options))!.Count);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Training.GetAsync("/api/runs/nosuchrun")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Training.GetAsync("/api/runs?state=sleeping")).StatusCode);
    }

    [Fact]
    public async Task A_fresh_system_without_the_container_lists_no_runs()
    {
        var store = new RunStore(fixture.TrainingServices.GetRequiredService<IBlobStore>(),
            Microsoft.Extensions.Options.Options.Create(new TrainingOptions { Container = $"fresh-{Guid.NewGuid():N}" }));
        Assert.Empty(await store.ListAsync());
        Assert.Empty(await store.ListFilesAsync("some-run", RunStore.CheckpointsFolder));
        Assert.Null(await store.GetAsync("some-run"));
        await store.Blobs.DeleteContainerAsync(store.Container);
    }

    [Fact]
    public async Task The_plan_shows_the_step_arithmetic_and_a_memory_estimate_as_the_user_types()
    {
        var snapshot = await fixture.CreateSnapshotAsync("plan", songs: 2);
        async Task<JsonElement> PlanAsync(object config)
        {
            var response = await fixture.Training.PostAsJsonAsync("/api/runs/plan", new { snapshotId = snapshot.Id, config }, JsonDefaults.Options);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }
        var lora16 = new { r = 16, lora_alpha = 32, use_rslora = true, target_modules = new[] { "to_q", "to_k", "to_v" } };
        var plan = await PlanAsync(new { max_steps = 10, gradient_accumulation_steps = 2, repeat_count = 3, lora = lora16 });
        Assert.Empty(plan.GetProperty("errors").EnumerateObject());
        var figures = plan.GetProperty("plan");
        Assert.Equal(2, figures.GetProperty("samples").GetInt32());
        Assert.Equal(6, figures.GetProperty("microBatchesPerEpoch").GetInt64());
        Assert.Equal(3.0, figures.GetProperty("stepsPerEpoch").GetDouble());
        Assert.Equal(10 / 3.0, figures.GetProperty("totalEpochs").GetDouble(), 1e-9);
        var vram16 = plan.GetProperty("vram").GetProperty("totalBytes").GetInt64();
        Assert.True(vram16 > 6L << 30, $"{vram16}");

        var epochs = await PlanAsync(new { max_steps = 0, epochs = 4, gradient_accumulation_steps = 4, learning_rate = -1, lora = lora16 with { r = 64 } });
        Assert.Equal(["learning_rate"], epochs.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, epochs.GetProperty("plan").GetProperty("totalSteps").GetInt64()); // ceil(4 epochs x 2 samples / 4)
        Assert.True(epochs.GetProperty("vram").GetProperty("totalBytes").GetInt64() > vram16);

        var unknown = await PlanAsync(new { lora = lora16 with { target_modules = new[] { "to_q", "not_a_layer" } } });
        Assert.Contains("not_a_layer", unknown.GetProperty("errors").GetProperty("lora.target_modules").GetString());

        using var presets = JsonDocument.Parse(await fixture.Training.GetStringAsync("/api/runs/presets"));
        Assert.Equal([16, 64, 256], presets.RootElement.EnumerateArray().Select(p => p.GetProperty("config").GetProperty("lora").GetProperty("r").GetInt32()));
        Assert.Equal(["conservative", "balanced", "aggressive"], presets.RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        using var defaults = JsonDocument.Parse(await fixture.Training.GetStringAsync("/api/runs/defaults"));
        Assert.Contains("to_q", defaults.RootElement.GetProperty("targetModules").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("en", defaults.RootElement.GetProperty("lyricsLanguages").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_scheduled_run_is_cancelled_at_once_and_a_running_one_stops_with_a_checkpoint()
    {
        var snapshot = await fixture.CreateSnapshotAsync("cancel", songs: 2);
        var scheduled = await StartAsync(snapshot.Id, 5, 5, DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(RunState.Scheduled, scheduled.State);
        var cancelled = (await (await fixture.Training.PostAsync($"/api/runs/{scheduled.Id}/cancel", null)).Content.ReadFromJsonAsync<RunRecord>(JsonDefaults.Options))!;
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.Equal(HttpStatusCode.Conflict, (await fixture.Training.PostAsync($"/api/runs/{scheduled.Id}/cancel", null)).StatusCode);

        var running = await StartAsync(snapshot.Id, 10_000, 10_000);
        await fixture.WaitForStateAsync(running.Id, r => r.Progress.Step >= 3, TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.Conflict, (await fixture.Training.DeleteAsync($"/api/runs/{running.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Training.PostAsync($"/api/runs/{running.Id}/cancel", null)).StatusCode);
        var stopped = await fixture.WaitForStateAsync(running.Id, r => r.State.IsFinal(), TimeSpan.FromMinutes(1));
        Assert.Equal(RunState.Cancelled, stopped.State);
        var checkpoint = Assert.Single(stopped.Checkpoints);
        Assert.Equal(stopped.Progress.Step, checkpoint.Step);
        Assert.True(checkpoint.Step >= 3);

        // Deleting removes its blobs and live state.
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Training.DeleteAsync($"/api/runs/{running.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Training.GetAsync($"/api/runs/{running.Id}")).StatusCode);
        var blobs = fixture.TrainingServices.GetRequiredService<IBlobStore>();
        Assert.Empty(await blobs.ListAsync("training", new BlobListOptions { Prefix = $"runs/{running.Id}/" }).ToListAsync());
        var redis = fixture.TrainingServices.GetRequiredService<IRedisClient>();
        Assert.Equal(0, await redis.ExistsAsync(RunChannels.Stream(running.Id)));
    }

    [Fact]
    public async Task A_paused_run_resumes_from_its_checkpoint_with_every_step_once()
    {
        var snapshot = await fixture.CreateSnapshotAsync("pause", songs: 2);
        var run = await StartAsync(snapshot.Id, 25, 1000);
        await fixture.WaitForStateAsync(run.Id, r => r.Progress.Step >= 4, TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.OK, (await fixture.Training.PostAsync($"/api/runs/{run.Id}/pause", null)).StatusCode);
        var paused = await fixture.WaitForStateAsync(run.Id, r => r.State == RunState.Paused, TimeSpan.FromMinutes(1));
        var pausedAt = Assert.Single(paused.Checkpoints).Step;
        await Task.Delay(1500);
        Assert.Equal(RunState.Paused, (await fixture.WaitForStateAsync(run.Id, _ => true, TimeSpan.FromSeconds(5))).State);

        Assert.Equal(HttpStatusCode.OK, (await fixture.Training.PostAsync($"/api/runs/{run.Id}/resume", null)).StatusCode);
        var done = await fixture.WaitForStateAsync(run.Id, r => r.State.IsFinal(), TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Completed, done.State);
        Assert.Equal(2, done.Attempts);
        var log = await fixture.Training.GetStringAsync($"/api/runs/{run.Id}/log");
        Assert.Contains("resumed from epoch", log);
        Assert.True(log.IndexOf("attempt 1 on worker", StringComparison.Ordinal) is var first and >= 0 && log.IndexOf("attempt 2 on worker", StringComparison.Ordinal) > first, log);
        Assert.True(pausedAt is >= 4 and < 25);

        var metrics = await fixture.Training.GetStringAsync($"/api/runs/{run.Id}/metrics");
        var steps = metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), steps);
    }

    [Fact]
    public async Task A_run_that_cannot_train_fails_with_its_reason_in_the_record_and_the_dead_letter_list()
    {
        var snapshot = await fixture.CreateSnapshotAsync("failing", songs: 1);
        var config = RunsFixture.TinyConfig(5, 5);
        config["checkpoint_dir"] = "/nonexistent/ACE-Step-v1-3.5B";
        var run = await StartAsync(snapshot.Id, config);
        var failed = await fixture.WaitForStateAsync(run.Id, r => r.State.IsFinal(), TimeSpan.FromMinutes(2));
        Assert.Equal(RunState.Failed, failed.State);
        Assert.Contains("/nonexistent/ACE-Step-v1-3.5B", failed.Error);
        Assert.Equal(1, failed.Attempts); // a missing folder is not transient: no retry
        using var queue = JsonDocument.Parse(await fixture.Training.GetStringAsync("/api/runs/queue"));
        var dead = queue.RootElement.GetProperty("deadLettered").EnumerateArray().Single(e => e.GetProperty("runId").GetString() == run.Id);
        Assert.Equal("deadLettered", dead.GetProperty("state").GetString());
        Assert.Contains("/nonexistent/ACE-Step-v1-3.5B", dead.GetProperty("lastError").GetString());
        Assert.Contains(failed.Error!, await fixture.Training.GetStringAsync($"/api/runs/{run.Id}/log"));

        // History filters: by dataset, state and creation time.
        var byDataset = await fixture.Training.GetFromJsonAsync<List<RunRecord>>($"/api/runs?datasetId={snapshot.DatasetId}", JsonDefaults.Options);
        Assert.Equal([run.Id], byDataset!.Select(r => r.Id));
        var failedRuns = await fixture.Training.GetFromJsonAsync<List<RunRecord>>("/api/runs?state=failed", JsonDefaults.Options);
        Assert.Contains(run.Id, failedRuns!.Select(r => r.Id));
        Assert.All(failedRuns!, r => Assert.Equal(RunState.Failed, r.State));
        var from = Uri.EscapeDataString(failed.CreatedAt.AddSeconds(-1).ToString("O"));
        var to = Uri.EscapeDataString(failed.CreatedAt.AddSeconds(1).ToString("O"));
        Assert.Contains(run.Id, (await fixture.Training.GetFromJsonAsync<List<RunRecord>>($"/api/runs?from={from}&to={to}", JsonDefaults.Options))!.Select(r => r.Id));
        var later = Uri.EscapeDataString(failed.CreatedAt.AddSeconds(1).ToString("O"));
        Assert.DoesNotContain(run.Id, (await fixture.Training.GetFromJsonAsync<List<RunRecord>>($"/api/runs?from={later}", JsonDefaults.Options))!.Select(r => r.Id));
    }

    [Fact]
    public async Task Events_after_an_id_are_served_and_a_trimmed_gap_is_reported_as_gone()
    {
        var snapshot = await fixture.CreateSnapshotAsync("events", songs: 1);
        var run = await StartAsync(snapshot.Id, 6, 100);
        await fixture.WaitForStateAsync(run.Id, r => r.State.IsFinal(), TimeSpan.FromMinutes(4));
        using var all = JsonDocument.Parse(await fixture.Training.GetStringAsync($"/api/runs/{run.Id}/events"));
        var ids = all.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.True(ids.Count > 8);
        using var tail = JsonDocument.Parse(await fixture.Training.GetStringAsync($"/api/runs/{run.Id}/events?after={ids[^3]}"));
        Assert.Equal(ids[^2..], tail.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
        Assert.Equal(ids[^1], tail.RootElement.GetProperty("lastId").GetString());

        var redis = fixture.TrainingServices.GetRequiredService<IRedisClient>();
        await redis.StreamTrimAsync(RunChannels.Stream(run.Id), 2);
        Assert.Equal(HttpStatusCode.Gone, (await fixture.Training.GetAsync($"/api/runs/{run.Id}/events?after={ids[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Training.GetAsync($"/api/runs/{run.Id}/events?after={ids[^2]}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Training.GetAsync($"/api/runs/{run.Id}/events?after=abc")).StatusCode);
        // History still has every step: the metrics file in blobs covers what the stream lost.
        using var history = JsonDocument.Parse(await fixture.Training.GetStringAsync($"/api/runs/{run.Id}/history"));
        Assert.Equal(6, history.RootElement.GetProperty("metrics").GetProperty("step").GetArrayLength());
    }
}
