using System.Globalization;
using AceTrainer.AceStep.Training;

namespace AceTrainer.TrainingService.Cli;

/// <summary>
/// <c>train --config run.json</c>: trains without the other services (dataset and outputs on disk), for scripting
/// and GPU containers. Ctrl+C saves a checkpoint and stops; <c>"resume_from": "latest"</c> continues.
/// </summary>
public static class TrainCommand
{
    public const string Usage = """
        usage: AceTrainer.TrainingService train --config run.json [--device cpu|cuda|auto] [--max-steps N] [--output DIR] [--resume latest|DIR]
        run.json holds a TrainingConfig (see AceTrainer.TrainingService/AceStep/README.md); the options override its fields.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        TrainingConfig config;
        try
        {
            config = Parse(args).EnsureValid();
        }
        catch (Exception error) when (error is ArgumentException or FileNotFoundException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            Console.Error.WriteLine("stopping after this step (a checkpoint will be saved)...");
            cancel.Cancel();
        };
        try
        {
            var result = await TrainingRun.RunAsync(config, new ConsoleObserver(), cancel.Token);
            Console.WriteLine(result.Outcome == TrainingOutcome.Completed
                ? $"done: {result.Steps} steps; adapter: {result.LastCheckpoint?.AdapterPath}"
                : $"stopped at step {result.Steps}; resume with --resume latest");
            return result.Outcome == TrainingOutcome.Completed ? 0 : 130;
        }
        catch (Exception error) when (error is IOException or InvalidDataException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return 1;
        }
    }

    private static TrainingConfig Parse(string[] args)
    {
        string? path = null;
        var overrides = new List<Func<TrainingConfig, TrainingConfig>>();
        for (var k = 0; k < args.Length; k++)
        {
            string Value() => k + 1 < args.Length ? args[++k] : throw new ArgumentException($"{args[k]} needs a value");
            switch (args[k])
            {
                case "--config": path = Value(); break;
                case "--device": { var v = Value(); overrides.Add(c => c with { Device = v }); break; }
                case "--output": { var v = Value(); overrides.Add(c => c with { OutputDir = v }); break; }
                case "--resume": { var v = Value(); overrides.Add(c => c with { ResumeFrom = v }); break; }
                case "--max-steps":
                {
                    var v = Value();
                    if (!long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var steps)) throw new ArgumentException($"--max-steps takes a whole number, not '{v}'");
                    overrides.Add(c => c with { MaxSteps = steps });
                    break;
                }
                default: throw new ArgumentException($"unknown option '{args[k]}'");
            }
        }
        if (path is null) throw new ArgumentException("--config is required");
        var config = TrainingConfig.Load(path);
        // relative paths in run.json are relative to the file, so a config folder can be moved as a whole
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        config = config with
        {
            DatasetDir = Resolve(baseDir, config.DatasetDir),
            OutputDir = Resolve(baseDir, config.OutputDir),
            CacheDir = config.CacheDir is null ? null : Resolve(baseDir, config.CacheDir),
            CheckpointDir = config.CheckpointDir is null ? null : Resolve(baseDir, config.CheckpointDir),
            InitLora = config.InitLora is null ? null : Resolve(baseDir, config.InitLora),
            LyricVocab = config.LyricVocab is null ? null : Resolve(baseDir, config.LyricVocab),
        };
        return overrides.Aggregate(config, (c, apply) => apply(c));
    }

    private static string Resolve(string baseDir, string path) => path.Length == 0 ? path : Path.GetFullPath(path, baseDir);

    private sealed class ConsoleObserver : ITrainingObserver
    {
        public void OnStep(StepMetrics m) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {m.Step}/{m.TotalSteps} epoch {m.Epoch} loss {m.Loss:0.00000} lr {m.LearningRate:0.000e+00} grad {m.GradNorm:0.0000} {m.SamplesPerSecond:0.00} samples/s eta {TimeSpan.FromSeconds(Math.Round(m.EtaSeconds)):c}"));

        public void OnCheckpoint(CheckpointSaved checkpoint) => Console.WriteLine($"saved {checkpoint.AdapterPath}");

        public void OnLog(string message) => Console.WriteLine(message);
    }
}
