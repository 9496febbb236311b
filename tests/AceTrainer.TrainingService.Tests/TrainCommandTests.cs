using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using AceTrainer.TestSupport;
using AceTrainer.TestSupport.Audio;

namespace AceTrainer.TrainingService.Tests;

/// <summary><c>AceTrainer.TrainingService train --config run.json</c> as a user runs it: a separate process, files on disk.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("train-cli-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>The built AceTrainer.TrainingService.dll of this test build's configuration (also started by the worker-process tests).</summary>
    internal static string ServiceAssembly
    {
        get
        {
            var configuration = typeof(TrainCommandTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            var path = Path.Combine(AzuriteServer.FindRepoRoot(), "AceTrainer.TrainingService", "bin", configuration, "net10.0", "AceTrainer.TrainingService.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"build AceTrainer.TrainingService first: {path}", path);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ServiceAssembly);
        start.ArgumentList.Add("train");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, stdout + await stderr);
    }

    private async Task<string> WriteRunAsync(long maxSteps)
    {
        Directory.CreateDirectory(Path.Combine(folder, "songs"));
        await Ffmpeg.ToneAsync(Path.Combine(folder, "songs", "one.wav"), 3, 330);
        await Ffmpeg.ToneAsync(Path.Combine(folder, "songs", "two.mp3"), 3, 550);
        await File.WriteAllTextAsync(Path.Combine(folder, "songs", "one_prompt.txt"), "pop, piano");
        await File.WriteAllTextAsync(Path.Combine(folder, "songs", "one_lyrics.txt"), "[verse]\nhello world");
        await File.WriteAllTextAsync(Path.Combine(folder, "songs", "two.txt"), "rock, guitar");
        var config = Path.Combine(folder, "run.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["dataset_dir"] = "songs",
            ["output_dir"] = "out",
            ["lyric_vocab"] = SharedReference.LyricVocabulary,
            ["device"] = "cpu",
            ["max_steps"] = maxSteps,
            ["checkpoint_every"] = 2,
            ["lora"] = new Dictionary<string, object> { ["r"] = 4, ["lora_alpha"] = 4, ["use_rslora"] = false, ["target_modules"] = new[] { "to_q", "to_v" } },
        }));
        return config;
    }

    [Fact]
    public async Task Trains_from_a_config_file_and_resumes_from_the_latest_checkpoint()
    {
        var config = await WriteRunAsync(maxSteps: 3);

        var (code, output) = await RunAsync("--config", config);

        Assert.True(code == 0, output);
        Assert.Contains("step 3/3", output);
        Assert.True(File.Exists(Path.Combine(folder, "out", "checkpoints", "epoch=1-step=3_lora", "pytorch_lora_weights.safetensors")), output);
        Assert.True(Directory.Exists(Path.Combine(folder, "out", "checkpoints", "epoch=0-step=2_lora")), output);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(folder, "out", "metrics.jsonl")).Length);

        var (again, resumed) = await RunAsync("--config", config, "--resume", "latest", "--max-steps", "5");

        Assert.True(again == 0, resumed);
        Assert.Contains("resumed from epoch=1-step=3_lora at step 3", resumed);
        Assert.Contains("from cache", resumed);
        Assert.DoesNotContain("step 3/5", resumed);
        Assert.Contains("step 5/5", resumed);
    }

    [Fact]
    public async Task Bad_configs_and_options_exit_2_naming_the_problem()
    {
        var config = await WriteRunAsync(maxSteps: 3);
        var text = await File.ReadAllTextAsync(config);
        await File.WriteAllTextAsync(config, text.Replace("\"max_steps\":3", "\"max_steps\":3,\"learning_rate\":-1", StringComparison.Ordinal));

        var (code, output) = await RunAsync("--config", config);
        Assert.Equal(2, code);
        Assert.Contains("learning_rate: must be a positive number", output);

        (code, output) = await RunAsync("--config", config, "--max-steps", "many");
        Assert.Equal(2, code);
        Assert.Contains("--max-steps takes a whole number", output);

        (code, output) = await RunAsync("--config", Path.Combine(folder, "missing.json"));
        Assert.Equal(2, code);
        Assert.Contains("missing.json", output);
    }
}
