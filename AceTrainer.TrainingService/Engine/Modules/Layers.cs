namespace AceTrainer.Engine.Modules;

/// <summary>y = x Wᵀ + b, weight (out, in), initialised as PyTorch does (uniform ±1/√in).</summary>
public sealed partial class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool hasBias = true)
    {
        var bound = 1.0 / Math.Sqrt(inFeatures);
        weight = RegisterParameter(nameof(weight), Init.Uniform([outFeatures, inFeatures], bound));
        if (hasBias) bias = RegisterParameter(nameof(bias), Init.Uniform([outFeatures], bound));
    }

    // field names equal the checkpoint keys
#pragma warning disable IDE1006
    public readonly Tensor weight;
    public readonly Tensor? bias;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input)
    {
        var output = Functional.Linear(input, weight, bias);
        if (Lora is null) return output;
        using (output)
        using (var delta = Lora.Forward(input, Training)) return output + delta;
    }

    public long InFeatures => weight.Size(1);

    public long OutFeatures => weight.Size(0);
}

/// <summary>Token embedding table (num, dim), initialised N(0, 1).</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    private readonly long paddingIdx;

    public Embedding(long count, long dim, long? paddingIdx = null)
    {
        this.paddingIdx = paddingIdx ?? -1;
        weight = RegisterParameter(nameof(weight), ModuleInit.Create([count, dim], () => Tensor.Randn([count, dim])));
    }

#pragma warning disable IDE1006
    public readonly Tensor weight;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor indices) => Functional.Embedding(indices, weight, paddingIdx);
}

/// <summary>Zeroes activations with probability p in training mode.</summary>
public sealed class Dropout(double p = 0.5) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, p, Training);
}

/// <summary>Parameter initialisation helpers (run without recording gradients).</summary>
internal static class Init
{
    public static Tensor Uniform(long[] shape, double bound) => ModuleInit.Create(shape, () =>
    {
        using var noGrad = Torch.NoGrad();
        return Tensor.Zeros(shape).Uniform_(-bound, bound);
    });

    public static Tensor Ones(long[] shape) => ModuleInit.Create(shape, () => Tensor.Ones(shape));

    public static Tensor Zeros(long[] shape) => ModuleInit.Create(shape, () => Tensor.Zeros(shape));
}
