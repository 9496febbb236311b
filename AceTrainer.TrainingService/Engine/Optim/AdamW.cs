using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Optim;

public sealed record AdamWOptions(
    double LearningRate = 1e-3,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-8,
    double WeightDecay = 1e-2);

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), numerically the same update as
/// <c>torch.optim.AdamW</c>'s single-tensor path, built from in-place aten ops (mul_, lerp_,
/// addcmul_, addcdiv_) so each parameter update stays inside libtorch kernels.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly Tensor[] parameters;
    private readonly ParameterState?[] states;

    public AdamW(IEnumerable<Tensor> parameters, AdamWOptions? options = null)
    {
        this.parameters = parameters.ToArray();
        states = new ParameterState?[this.parameters.Length];
        Options = options ?? new AdamWOptions();
        LearningRate = Options.LearningRate;
    }

    public AdamWOptions Options { get; }

    /// <summary>Current learning rate (schedules change it between steps).</summary>
    public double LearningRate { get; set; }

    public IReadOnlyList<Tensor> Parameters => parameters;

    public void Step()
    {
        var (beta1, beta2, eps, decay) = (Options.Beta1, Options.Beta2, Options.Eps, Options.WeightDecay);
        var lr = LearningRate;
        using var noGrad = Torch.NoGrad();
        using var scope = new DisposeScope();
        for (var k = 0; k < parameters.Length; k++)
        {
            var p = parameters[k];
            using var grad = p.Grad;
            if (grad is null) continue;
            var state = states[k] ??= ParameterState.Create(p);
            state.Step++;
            if (decay != 0) p.Mul_(1 - lr * decay);
            state.ExpAvg.Lerp_(grad, 1 - beta1);
            state.ExpAvgSq.Mul_(beta2).AddCMul_(grad, grad, 1 - beta2);
            var correction1 = 1 - Math.Pow(beta1, state.Step);
            var correction2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, state.Step));
            using var root = state.ExpAvgSq.Sqrt();
            using var denominator = (root / correction2Sqrt).AddScalar_(eps);
            p.AddCDiv_(state.ExpAvg, denominator, -lr / correction1);
        }
    }

    /// <summary>Drops all gradients of the optimised parameters.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.Grad = null;
    }

    /// <summary>Moments and step counts by parameter index ("3.exp_avg", "3.exp_avg_sq", "3.step").</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (var k = 0; k < states.Length; k++)
        {
            if (states[k] is not { } s) continue;
            state[$"{k}.exp_avg"] = s.ExpAvg;
            state[$"{k}.exp_avg_sq"] = s.ExpAvgSq;
            state[$"{k}.step"] = Tensor.Scalar(s.Step, DType.Float64).DetachFromDisposeScope();
        }
        return state;
    }

    public void Save(string path)
    {
        var state = StateDict();
        try
        {
            SafeTensorsWriter.Save(path, state, new Dictionary<string, string>
            {
                ["optimizer"] = "AdamW",
                ["lr"] = LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["parameters"] = parameters.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }
        finally
        {
            foreach (var (key, t) in state) if (key.EndsWith(".step", StringComparison.Ordinal)) t.Dispose();
        }
    }

    public void Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        if (file.Metadata.GetValueOrDefault("parameters") != parameters.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidDataException("optimizer state was saved for a different parameter list");
        using var noGrad = Torch.NoGrad();
        for (var k = 0; k < parameters.Length; k++)
        {
            if (!file.Tensors.ContainsKey($"{k}.step")) continue;
            using var scope = new DisposeScope();
            var s = states[k] ??= ParameterState.Create(parameters[k]);
            s.ExpAvg.Copy_(file.Load($"{k}.exp_avg"));
            s.ExpAvgSq.Copy_(file.Load($"{k}.exp_avg_sq"));
            s.Step = (long)file.Load($"{k}.step").Item();
        }
        LearningRate = double.Parse(file.Metadata["lr"], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        foreach (var s in states) s?.Dispose();
    }

    private sealed class ParameterState : IDisposable
    {
        public required Tensor ExpAvg { get; init; }
        public required Tensor ExpAvgSq { get; init; }
        public long Step { get; set; }

        public static ParameterState Create(Tensor parameter) => new()
        {
            ExpAvg = Tensor.ZerosLike(parameter).DetachFromDisposeScope(),
            ExpAvgSq = Tensor.ZerosLike(parameter).DetachFromDisposeScope(),
        };

        public void Dispose()
        {
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
        }
    }
}
