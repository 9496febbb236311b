using System.Text.Json.Serialization;

namespace AceTrainer.AceStep.Training;

/// <summary>What one optimizer step measured (names as upstream's TensorBoard scalars where it has them).</summary>
public sealed record StepMetrics(
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("epoch")] long Epoch,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("denoising_loss")] double DenoisingLoss,
    [property: JsonPropertyName("learning_rate")] double LearningRate,
    [property: JsonPropertyName("grad_norm")] double GradNorm,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("elapsed_seconds")] double ElapsedSeconds,
    [property: JsonPropertyName("eta_seconds")] double EtaSeconds,
    [property: JsonPropertyName("total_steps")] long TotalSteps);

/// <summary>A checkpoint that has been written completely.</summary>
public sealed record CheckpointSaved(long Step, long Epoch, string Folder, string AdapterPath);

/// <summary>How a run ended.</summary>
public enum TrainingOutcome
{
    Completed,
    Cancelled,
}

public sealed record TrainingResult(TrainingOutcome Outcome, long Steps, IReadOnlyList<StepMetrics> Metrics, CheckpointSaved? LastCheckpoint);

/// <summary>Receives progress as it happens (the CLI prints it; the worker publishes it).</summary>
public interface ITrainingObserver
{
    void OnStep(StepMetrics metrics);

    void OnCheckpoint(CheckpointSaved checkpoint);

    void OnLog(string message);
}
