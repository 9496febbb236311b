using AceTrainer.AceStep.Training;

namespace AceTrainer.AceStep.Metrics;

/// <summary>Logs each optimizer step's scalars to a TensorBoard event file (the loss names are upstream's).</summary>
public sealed class TensorBoardObserver(string logFolder) : ITrainingObserver, IDisposable
{
    private readonly TensorBoardWriter writer = new(logFolder);

    public string FilePath => writer.FilePath;

    public void OnStep(StepMetrics metrics) => writer.WriteScalars(metrics.Step,
    [
        new("train/loss", metrics.Loss),
        new("train/denoising_loss", metrics.DenoisingLoss),
        new("train/learning_rate", metrics.LearningRate),
        new("train/grad_norm", metrics.GradNorm),
        new("train/samples_per_second", metrics.SamplesPerSecond),
    ]);

    public void OnCheckpoint(CheckpointSaved checkpoint)
    {
    }

    public void OnLog(string message)
    {
    }

    public void Dispose() => writer.Dispose();
}
