using System.Globalization;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Training;
using AceTrainer.Engine.Lora;
using AceTrainer.TestSupport.Audio;
using Xunit.Abstractions;

namespace AceTrainer.AceStep.Tests.Training;

/// <summary>
/// The whole pipeline on the tiny checkpoint: four songs made by ffmpeg, prepared (DCAE latents, UMT5 states,
/// lyric ids) into the cache, then LoRA training on the CPU. The tiny checkpoint is generated once for the class.
/// </summary>
public class TinyRunTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>
{
    private static async Task WriteSongsAsync(string folder)
    {
        // Four different sounds, with prompts and lyrics in the upstream layout.
        var sources = new[]
        {
            ("bright_sine", "sine=frequency=880:duration=4:sample_rate=48000", "pop, bright, female vocals", "[verse]\nla la la\n[chorus]\noh oh"),
            ("low_sine", "sine=frequency=110:duration=4:sample_rate=48000", "ambient, deep bass", "[instrumental]"),
            ("pink_noise", "anoisesrc=color=pink:duration=4:sample_rate=48000:amplitude=0.3", "noise, rock, drums", "[verse]\nhey there\nhey"),
            ("chirp", "aevalsrc=0.4*sin(2*PI*(200+300*t)*t):d=4:s=48000", "electronic, synth", "[verse]\nup and up"),
        };
        foreach (var (name, source, prompt, lyrics) in sources)
        {
            await Ffmpeg.RunAsync(["-f", "lavfi", "-i", source, "-ac", "2", Path.Combine(folder, name + ".flac")]);
            await File.WriteAllTextAsync(Path.Combine(folder, name + "_prompt.txt"), prompt);
            await File.WriteAllTextAsync(Path.Combine(folder, name + "_lyrics.txt"), lyrics);
        }
    }

    // Upstream's LoRA targets at rank 16; alpha 16 with rsLoRA scales B·A by 4, so 1e-3 is already a brisk rate
    // (1e-2 makes the adapter oscillate and the loss does not fall).
    private TrainingConfig Config(TempFolder folder, long steps) => new()
    {
        CheckpointDir = tiny.Folder, DatasetDir = folder.File("data"), OutputDir = folder.File("run"), CacheDir = folder.File("cache"),
        LyricVocab = Repository.LyricVocabulary, Device = "cpu", Seed = 3, MaxSteps = steps, CheckpointEvery = 100,
        LearningRate = 1e-3, WarmupSteps = 10, Scheduler = "constant", TriggerWord = "tinysong",
        Lora = TrainingConfig.UpstreamLora with { Rank = 16, Alpha = 16 },
    };

    [Fact]
    public async Task The_tiny_model_overfits_four_generated_songs()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("data"));
        await WriteSongsAsync(folder.File("data"));
        var log = new RecordingObserver();

        var result = await TrainingRun.RunAsync(Config(folder, 200), log, CancellationToken.None);

        Assert.Equal(TrainingOutcome.Completed, result.Outcome);
        Assert.Equal(4, log.Lines.Count(l => l.Contains(": prepared,", StringComparison.Ordinal)));
        double Mean(IEnumerable<StepMetrics> window) => window.Average(m => m.Loss);
        var first = Mean(result.Metrics.Take(30));
        var last = Mean(result.Metrics.TakeLast(30));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean loss of the first 30 steps {first:F4}, of the last 30 {last:F4}"));
        Assert.True(last <= first / 2, string.Create(CultureInfo.InvariantCulture, $"loss fell from {first:F4} to {last:F4}, less than half"));
        Assert.Equal([100L, 200L], TrainingCheckpoint.List(folder.File("run")).Select(c => c.State.Step));
        Assert.Equal(16, LoraNetwork.ReadSettings(result.LastCheckpoint!.AdapterPath).Rank);
    }

    [Fact]
    public async Task Prepared_samples_are_reused_and_a_changed_prompt_is_prepared_again()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("data"));
        await WriteSongsAsync(folder.File("data"));
        await TrainingRun.RunAsync(Config(folder, 1), new RecordingObserver(), CancellationToken.None);

        await File.WriteAllTextAsync(folder.File("data/chirp_prompt.txt"), "electronic, synth, sweep");
        var again = new RecordingObserver();
        await TrainingRun.RunAsync(Config(folder, 1) with { OutputDir = folder.File("run2") }, again, CancellationToken.None);

        Assert.Equal(3, again.Lines.Count(l => l.Contains(": from cache", StringComparison.Ordinal)));
        Assert.Contains(again.Lines, l => l.Contains("chirp: prepared", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_the_fly_preparation_trains_without_a_cache()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("data"));
        await WriteSongsAsync(folder.File("data"));
        // Without checkpoint_dir the run uses the tiny checkpoint under the cache folder; an identical one is there already.
        tiny.CopyTo(folder.File("cache/tiny-checkpoint"));
        var log = new RecordingObserver();
        var result = await TrainingRun.RunAsync(Config(folder, 3) with { PrepareOnTheFly = true, CheckpointDir = null }, log, CancellationToken.None);
        Assert.Equal(3, result.Steps);
        Assert.Contains(log.Lines, l => l.StartsWith("no checkpoint_dir: training the tiny model", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(folder.File("cache"), "*.safetensors"));
    }

    [Fact]
    public async Task A_missing_lyric_vocabulary_is_named()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("data"));
        await WriteSongsAsync(folder.File("data"));
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() =>
            TrainingRun.RunAsync(Config(folder, 1) with { LyricVocab = folder.File("nope.json") }, new RecordingObserver(), CancellationToken.None));
        Assert.Contains("nope.json", error.Message);
        Assert.Contains("lyrics_utils/vocab.json", error.Message);
    }

    private sealed class RecordingObserver : ITrainingObserver
    {
        public List<string> Lines { get; } = [];

        public void OnStep(StepMetrics metrics) { }

        public void OnCheckpoint(CheckpointSaved checkpoint) => Lines.Add("checkpoint " + checkpoint.Step);

        public void OnLog(string message) => Lines.Add(message);
    }
}
