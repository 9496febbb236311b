namespace AceTrainer.Engine.Optim;

/// <summary>Learning-rate multiplier as a function of the optimiser step (pure arithmetic, no tensors).</summary>
public abstract record LearningRateSchedule(long WarmupSteps)
{
    public double Factor(long step) =>
        step < WarmupSteps ? (double)step / Math.Max(1, WarmupSteps) : Math.Max(0, AfterWarmup(step));

    /// <summary>Sets <paramref name="optimizer"/>'s learning rate for <paramref name="step"/>.</summary>
    public void Apply(AdamW optimizer, long step) => optimizer.LearningRate = optimizer.Options.LearningRate * Factor(step);

    protected abstract double AfterWarmup(long step);

    protected double Progress(long step, long totalSteps) =>
        (double)(step - WarmupSteps) / Math.Max(1, totalSteps - WarmupSteps);
}

public sealed record ConstantSchedule(long WarmupSteps = 0) : LearningRateSchedule(WarmupSteps)
{
    protected override double AfterWarmup(long step) => 1;
}

/// <summary>Linear decay from 1 to 0 at <see cref="TotalSteps"/>.</summary>
public sealed record LinearSchedule(long WarmupSteps, long TotalSteps) : LearningRateSchedule(WarmupSteps)
{
    protected override double AfterWarmup(long step) => 1 - Progress(step, TotalSteps);
}

/// <summary>Half-cosine from 1 to 0 (<see cref="Cycles"/> = 0.5) over the steps after warm-up.</summary>
public sealed record CosineSchedule(long WarmupSteps, long TotalSteps, double Cycles = 0.5) : LearningRateSchedule(WarmupSteps)
{
    protected override double AfterWarmup(long step) => 0.5 * (1 + Math.Cos(Math.PI * Cycles * 2 * Progress(step, TotalSteps)));
}

/// <summary>Cosine decays restarted from 1 at the start of each of <see cref="Cycles"/> equal windows.</summary>
public sealed record CosineWithRestartsSchedule(long WarmupSteps, long TotalSteps, int Cycles = 1) : LearningRateSchedule(WarmupSteps)
{
    protected override double AfterWarmup(long step)
    {
        var progress = Progress(step, TotalSteps);
        if (progress >= 1) return 0;
        return 0.5 * (1 + Math.Cos(Math.PI * (Cycles * progress % 1.0)));
    }
}
