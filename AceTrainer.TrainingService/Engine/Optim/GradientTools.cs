namespace AceTrainer.Engine.Optim;

public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients so their joint L2 norm is at most <paramref name="maxNorm"/>
    /// (as <c>torch.nn.utils.clip_grad_norm_</c>); returns the norm before clipping.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        using var noGrad = Torch.NoGrad();
        using var scope = new DisposeScope();
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        var norms = grads.Select(g => g.Norm()).ToList();
        var total = Tensor.Stack(norms).Norm();
        var coefficient = (maxNorm / (total + 1e-6)).Clamp(null, 1.0);
        foreach (var g in grads) g.Mul_(coefficient);
        return total.Item();
    }
}

/// <summary>
/// Gradient accumulation over <see cref="Steps"/> micro-batches: each loss is scaled by 1/Steps
/// before backward, and <see cref="Backward"/> reports when the optimiser should step.
/// </summary>
public sealed class GradientAccumulator(int steps)
{
    private long microSteps;

    public int Steps { get; } = steps > 0 ? steps : throw new ArgumentOutOfRangeException(nameof(steps));

    /// <summary>Back-propagates loss/Steps; true when this completes an accumulation window.</summary>
    public bool Backward(Tensor loss)
    {
        using var scaled = loss / Steps;
        scaled.Backward();
        return ++microSteps % Steps == 0;
    }
}
