using AceTrainer.Engine;

namespace AceTrainer.AceStep.Training;

/// <summary>
/// Upstream's flow-matching objective: a discrete schedule of 1000 training steps with shift s, sigma_i =
/// s·u/(1+(s-1)·u) for u = (1000-i)/1000, timestep = 1000·sigma; indices drawn logit-normally; the model predicts
/// the velocity v, x0 is recovered as x_t - sigma·v, and the loss is the masked MSE against x0.
/// </summary>
public sealed class FlowMatching(double shift = 3.0, int trainSteps = 1000)
{
    public int TrainSteps { get; } = trainSteps;

    public double Shift { get; } = shift;

    /// <summary>Noise level of schedule index <paramref name="index"/> (0 = pure noise … 999 = almost clean).</summary>
    public double Sigma(long index)
    {
        var u = (double)(TrainSteps - index) / TrainSteps;
        return Shift * u / (1 + (Shift - 1) * u);
    }

    /// <summary>Schedule indices idx = clamp(int(sigmoid(u)·1000)) with u ~ N(mean, std), drawn on the CPU generator.</summary>
    public long[] SampleIndices(int count, double logitMean = 0, double logitStd = 1)
    {
        using var scope = new DisposeScope();
        var u = Tensor.Randn([count]).ToArray<float>();
        return u.Select(v =>
        {
            var p = 1.0 / (1.0 + Math.Exp(-(v * logitStd + logitMean)));
            return Math.Clamp((long)(p * TrainSteps), 0, TrainSteps - 1);
        }).ToArray();
    }

    /// <summary>x_t = sigma·noise + (1 - sigma)·x0, with sigma broadcast over [B,1,1,1].</summary>
    public static Tensor Noisy(Tensor target, Tensor noise, Tensor sigma)
    {
        using var scope = new DisposeScope();
        var keep = 1.0 - sigma;
        return (sigma * noise + keep * target).MoveToOuterScope();
    }

    /// <summary>
    /// Upstream's denoising loss: x0_pred = x_t - sigma·v; per sample the MSE over masked elements (mean over all
    /// elements, then times the kept fraction), averaged over the batch. <paramref name="frameMask"/> is [B,T].
    /// </summary>
    public static Tensor Loss(Tensor velocity, Tensor noisy, Tensor sigma, Tensor target, Tensor frameMask)
    {
        using var scope = new DisposeScope();
        var batch = target.Size(0);
        var predicted = noisy - sigma * velocity;
        var mask = frameMask.Unsqueeze(1).Unsqueeze(1).Expand(-1, target.Size(1), target.Size(2), -1).To(predicted.DType);
        var p = (predicted * mask).Reshape(batch, -1);
        var t = (target.To(predicted.DType) * mask).Reshape(batch, -1);
        var perSample = Functional.MseLoss(p, t, Reduction.None).Mean(1);
        var weighted = perSample * mask.Reshape(batch, -1).Mean(1);
        return weighted.Mean().MoveToOuterScope();
    }
}
