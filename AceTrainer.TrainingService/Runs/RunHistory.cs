using System.Text.Json;
using AceTrainer.AceStep.Training;
using AceTrainer.ServiceDefaults.Runs;

namespace AceTrainer.TrainingService.Runs;

/// <summary>A run's metrics as columns (one entry per optimizer step, ascending): compact for 100k+ steps, direct for a chart.</summary>
public sealed record RunMetricSeries(
    IReadOnlyList<long> Step,
    IReadOnlyList<long> Epoch,
    IReadOnlyList<double> Loss,
    IReadOnlyList<double> DenoisingLoss,
    IReadOnlyList<double> LearningRate,
    IReadOnlyList<double> GradNorm,
    IReadOnlyList<double> SamplesPerSecond);

/// <summary>Everything a page needs to show a run from scratch; live events with ids after <see cref="LastId"/> follow.</summary>
public sealed record RunHistory(RunRecord Run, RunMetricSeries Metrics, IReadOnlyList<RunEventEntry> Events, string LastId);

/// <summary>Builds the metric columns from the metrics file (blobs) and the step events newer than it (stream).</summary>
public sealed class RunMetricsBuilder
{
    // Sorted by step; a later value for a step replaces the earlier one (a resumed run repeats steps after its checkpoint).
    private readonly SortedDictionary<long, RunStepEvent> _steps = [];

    public void AddMetricsLine(string line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        StepMetrics? m;
        try
        {
            m = JsonSerializer.Deserialize<StepMetrics>(line);
        }
        catch (JsonException)
        {
            return; // a line cut by a copy taken while the trainer was writing it
        }
        if (m is null) return;
        _steps[m.Step] = new RunStepEvent(m.Step, m.Epoch, m.TotalSteps, m.Loss, m.DenoisingLoss, m.LearningRate, m.GradNorm,
            m.SamplesPerSecond, m.ElapsedSeconds, m.EtaSeconds);
    }

    public void AddStep(RunStepEvent step) => _steps[step.Step] = step;

    public RunMetricSeries Build()
    {
        var s = _steps.Values;
        return new RunMetricSeries(
            s.Select(x => x.Step).ToArray(), s.Select(x => x.Epoch).ToArray(), s.Select(x => x.Loss).ToArray(),
            s.Select(x => x.DenoisingLoss).ToArray(), s.Select(x => x.LearningRate).ToArray(), s.Select(x => x.GradNorm).ToArray(),
            s.Select(x => x.SamplesPerSecond).ToArray());
    }
}

public sealed record RunPresetResponse(string Name, string Label, string Description, JsonElement Config);

/// <summary>The form's choices: the default config and the allowed values of the list fields.</summary>
public sealed record RunDefaults(JsonElement Config, IReadOnlyList<string> TargetModules, IReadOnlyList<string> Schedulers,
    IReadOnlyList<string> Precisions, IReadOnlyList<string> LyricsLanguages);

/// <summary>The steps/epochs arithmetic of a request against its snapshot.</summary>
public sealed record RunPlanFigures(int Samples, long TotalSteps, double StepsPerEpoch, double TotalEpochs, long MicroBatchesPerEpoch);

public sealed record RunPlanResponse(IReadOnlyDictionary<string, string> Errors, RunPlanFigures? Plan, VramEstimate? Vram);
