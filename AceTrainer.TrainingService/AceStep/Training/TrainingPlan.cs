namespace AceTrainer.AceStep.Training;

/// <summary>
/// The step arithmetic of a run. One micro-batch is one sample; an optimizer step consumes
/// <see cref="AccumulationSteps"/> micro-batches; an epoch is every sample <see cref="RepeatCount"/> times.
/// Steps are always optimizer steps (the old tool counted micro-batches under accumulation).
/// </summary>
public sealed record TrainingPlan(int Samples, int RepeatCount, int AccumulationSteps, long TotalSteps)
{
    public long MicroBatchesPerEpoch => (long)Samples * RepeatCount;

    /// <summary>Optimizer steps per epoch (the last window of an epoch may run into the next one).</summary>
    public double StepsPerEpoch => (double)MicroBatchesPerEpoch / AccumulationSteps;

    public double TotalEpochs => TotalSteps / StepsPerEpoch;

    /// <summary>The epoch (0-based) the micro-batch <paramref name="microBatch"/> belongs to.</summary>
    public long EpochOfMicroBatch(long microBatch) => microBatch / MicroBatchesPerEpoch;

    /// <summary>The epoch in which optimizer step <paramref name="step"/> (0-based) starts.</summary>
    public long EpochOfStep(long step) => EpochOfMicroBatch(step * AccumulationSteps);

    public static TrainingPlan For(TrainingConfig config, int samples)
    {
        if (samples <= 0) throw new ArgumentException("the dataset has no samples", nameof(samples));
        var perEpoch = (long)samples * config.RepeatCount;
        var total = config.MaxSteps > 0
            ? config.MaxSteps
            : (long)Math.Ceiling((double)config.Epochs * perEpoch / config.AccumulationSteps);
        return new TrainingPlan(samples, config.RepeatCount, config.AccumulationSteps, total);
    }
}
