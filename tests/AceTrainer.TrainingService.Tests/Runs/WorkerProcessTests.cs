using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;
using AceTrainer.TrainingService.Queue;
using AceTrainer.TrainingService.Runs;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AceTrainer.TrainingService.Tests.Runs;

/// <summary>
/// The TrainingService as real processes on their own queue prefix (so the fixture's in-process worker stays out): one
/// killed with SIGKILL mid-run (the next takes the run when the lease expires) and one stopped with SIGTERM (it saves a
/// checkpoint and gives the run back at once); either way another process resumes it from its last checkpoint.
/// </summary>
[Collection(RunsCollection.Name)]
public sealed class WorkerProcessTests(RunsFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_run_whose_worker_is_killed_resumes_elsewhere_with_every_step_once_and_the_same_losses()
    {
        var snapshot = await fixture.CreateSnapshotAsync("killed", songs: 2);
        var config = RunsFixture.TinyConfig(30, 5);

        using var first = WorkerProcess.Start(fixture, "kill-a", output);
        using var api = new HttpClient { BaseAddress = new Uri(first.Url), Timeout = TimeSpan.FromMinutes(1) };
        await first.WaitHealthyAsync();
        var run = await CreateAsync(api, snapshot.Id, config);
        var before = await RunsFixture.WaitForStateAsync(api, run.Id, r => r.Checkpoints.Count >= 2 && r.Progress.Step >= 12, TimeSpan.FromMinutes(5));
        first.Kill();
        output.WriteLine($"killed at step {before.Progress.Step}, last checkpoint {before.Checkpoints[^1].Name}");

        // The second worker also exports its metrics over OTLP, every second.
        using var collector = new OtlpHttpCollector();
        using var second = WorkerProcess.Start(fixture, "kill-b", output, new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        });
        using var api2 = new HttpClient { BaseAddress = new Uri(second.Url), Timeout = TimeSpan.FromMinutes(1) };
        await second.WaitHealthyAsync();
        var done = await RunsFixture.WaitForStateAsync(api2, run.Id, r => r.State.IsFinal(), TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.Completed, done.State);
        Assert.Equal(2, done.Attempts);
        Assert.Equal(30, done.Progress.Step);
        var losses = await LossesAsync(api2, run.Id);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), losses.Keys);
        // The steps after the checkpoint were trained twice, by the killed worker and after the resume: the live log has both.
        using var events = JsonDocument.Parse(await api2.GetStringAsync($"/api/runs/{run.Id}/events"));
        var twice = events.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("event")).Where(e => e.GetProperty("type").GetString() == "step")
            .Select(e => (Step: e.GetProperty("step").GetProperty("step").GetInt64(), Loss: e.GetProperty("step").GetProperty("loss").GetDouble()))
            .GroupBy(s => s.Step).Where(g => g.Count() == 2).ToList();
        // Resumed from the last checkpoint the killed worker had stored (the one we saw, or one saved in the instant before the kill).
        var resumedFrom = twice[0].Key - 1;
        Assert.Contains(resumedFrom, done.Checkpoints.Select(c => c.Step));
        Assert.True(resumedFrom >= before.Checkpoints[^1].Step);
        Assert.Equal(Enumerable.Range((int)resumedFrom + 1, twice.Count).Select(i => (long)i), twice.Select(g => g.Key));
        Assert.Contains($"resumed from epoch", await api2.GetStringAsync($"/api/runs/{run.Id}/log"));
        foreach (var step in twice)
        {
            output.WriteLine($"step {step.Key}: killed worker {step.First().Loss:R}, after resume {step.Last().Loss:R}");
            Assert.Equal(step.First().Loss, step.Last().Loss, 1e-6);
        }
        var metricsFile = await api2.GetStringAsync($"/api/runs/{run.Id}/metrics");
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i),
            metricsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()));
        await WaitForAsync(() => collector.Posts.Any(p => p.Path == "/v1/metrics" && p.Body.Contains(run.Id, StringComparison.Ordinal)), TimeSpan.FromSeconds(20));
        var exported = string.Join("\n", collector.Posts.Where(p => p.Path == "/v1/metrics").Select(p => p.Body));
        foreach (var name in new[] { "acetrainer.training.loss", "acetrainer.training.learning_rate", "acetrainer.training.samples_per_second", "acetrainer.training.steps", "acetrainer.run.id" })
            Assert.Contains(name, exported);
        Assert.Equal(["epoch=2-step=5_lora", "epoch=4-step=10_lora", "epoch=7-step=15_lora", "epoch=9-step=20_lora", "epoch=12-step=25_lora", "epoch=14-step=30_lora"],
            done.Checkpoints.Select(c => c.Name));
    }

    [Fact]
    public async Task A_worker_that_shuts_down_saves_a_checkpoint_and_gives_the_run_back_at_once()
    {
        var snapshot = await fixture.CreateSnapshotAsync("handover", songs: 2);
        using var first = WorkerProcess.Start(fixture, "stop-a", output);
        using var api = new HttpClient { BaseAddress = new Uri(first.Url), Timeout = TimeSpan.FromMinutes(1) };
        await first.WaitHealthyAsync();
        var run = await CreateAsync(api, snapshot.Id, RunsFixture.TinyConfig(30, 1000));
        await RunsFixture.WaitForStateAsync(api, run.Id, r => r.Progress.Step >= 5, TimeSpan.FromMinutes(5));

        Assert.Equal(0, await first.StopAsync());

        // No sweeper runs on this queue now, so only the give-back can have put the run back in the queue.
        var queue = new RunQueue(fixture.TrainingServices.GetRequiredService<IRedisClient>(), new RunQueueOptions { KeyPrefix = QueuePrefix }, TimeProvider.System);
        var entry = (await queue.GetAsync(run.Id))!;
        Assert.Equal((RunQueueState.Queued, 0), (entry.State, entry.Failures));
        var stopped = (await fixture.TrainingServices.GetRequiredService<RunStore>().GetAsync(run.Id))!;
        Assert.Equal(RunState.Queued, stopped.State);
        var checkpoint = Assert.Single(stopped.Checkpoints);
        Assert.Equal(stopped.Progress.Step, checkpoint.Step);

        using var second = WorkerProcess.Start(fixture, "stop-b", output);
        using var api2 = new HttpClient { BaseAddress = new Uri(second.Url), Timeout = TimeSpan.FromMinutes(1) };
        await second.WaitHealthyAsync();
        var done = await RunsFixture.WaitForStateAsync(api2, run.Id, r => r.State.IsFinal(), TimeSpan.FromMinutes(3));
        Assert.Equal((RunState.Completed, 2, 30L), (done.State, done.Attempts, done.Progress.Step));
        var metricsFile = await api2.GetStringAsync($"/api/runs/{run.Id}/metrics");
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i),
            metricsFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()));
    }

    private const string QueuePrefix = "killtest:";

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(200);
        }
    }

    private static async Task<RunRecord> CreateAsync(HttpClient api, string snapshotId, object config)
    {
        var response = await api.PostAsJsonAsync("/api/runs", new { snapshotId, config }, JsonDefaults.Options);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunRecord>(JsonDefaults.Options))!;
    }

    private static async Task<SortedDictionary<long, double>> LossesAsync(HttpClient api, string runId)
    {
        using var history = JsonDocument.Parse(await api.GetStringAsync($"/api/runs/{runId}/history"));
        var metrics = history.RootElement.GetProperty("metrics");
        var steps = metrics.GetProperty("step").EnumerateArray().Select(s => s.GetInt64()).ToList();
        var losses = metrics.GetProperty("loss").EnumerateArray().Select(s => s.GetDouble()).ToList();
        return new SortedDictionary<long, double>(steps.Zip(losses).ToDictionary(p => p.First, p => p.Second));
    }

    /// <summary>AceTrainer.TrainingService.dll started with dotnet, configured through environment variables as the AppHost does.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private readonly Process _process;

        private WorkerProcess(Process process, string url)
        {
            _process = process;
            Url = url;
        }

        public string Url { get; }

        public static WorkerProcess Start(RunsFixture fixture, string workerId, ITestOutputHelper output, Dictionary<string, string>? environment = null)
        {
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(TrainCommandTests.ServiceAssembly);
            foreach (var (key, value) in fixture.TrainingSettings(workerId)) start.Environment[key.Replace(":", "__")] = value;
            start.Environment["RunQueue__KeyPrefix"] = QueuePrefix;
            start.Environment["ASPNETCORE_URLS"] = url;
            start.Environment["OTEL_SERVICE_NAME"] = "trainingservice-" + workerId;
            foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("run ", StringComparison.Ordinal)) Log(output, $"[{workerId}] {line}"); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Log(output, $"[{workerId}!] {line}"); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new WorkerProcess(process, url);
        }

        public async Task WaitHealthyAsync()
        {
            using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (DateTime.UtcNow < deadline)
            {
                if (_process.HasExited) throw new InvalidOperationException($"the TrainingService exited with {_process.ExitCode}");
                try
                {
                    if ((await http.GetAsync("/health")).IsSuccessStatusCode) return;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(200);
            }
            throw new TimeoutException("the TrainingService did not become healthy");
        }

        /// <summary>SIGTERM, as a container stop sends it: the host shuts down gracefully; returns the exit code.</summary>
        public async Task<int> StopAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        /// <summary>SIGKILL: no shutdown hook, no final checkpoint, the lease just stops being renewed.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }

        private static void Log(ITestOutputHelper output, string line)
        {
            try
            {
                output.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // the test has finished; late lines of a dying process are dropped
            }
        }
    }
}
