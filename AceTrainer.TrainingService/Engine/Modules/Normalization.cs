namespace AceTrainer.Engine.Modules;

/// <summary>Layer normalisation over the last dimensions; weight ones, bias zeros.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly long[] shape;
    private readonly double eps;

    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool hasBias = true)
    {
        (shape, this.eps) = (normalizedShape, eps);
        if (!elementwiseAffine) return;
        weight = RegisterParameter(nameof(weight), Init.Ones(normalizedShape));
        if (hasBias) bias = RegisterParameter(nameof(bias), Init.Zeros(normalizedShape));
    }

    public LayerNorm(long dim, double eps = 1e-5) : this([dim], eps) { }

#pragma warning disable IDE1006
    public readonly Tensor? weight;
    public readonly Tensor? bias;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, shape, weight, bias, eps);
}

/// <summary>RMS normalisation over the last dimension (native aten::rms_norm when present, else composed).</summary>
public sealed class RMSNorm : Module<Tensor, Tensor>
{
    private readonly double eps;

    public RMSNorm(long dim, double eps = 1e-6)
    {
        this.eps = eps;
        weight = RegisterParameter(nameof(weight), Init.Ones([dim]));
    }

#pragma warning disable IDE1006
    public readonly Tensor weight;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input) => Functional.RmsNorm(input, [weight.Size(0)], weight, eps);
}

/// <summary>Group normalisation over (N, C, ...) with C split into groups.</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    private readonly long groups;
    private readonly double eps;

    public GroupNorm(long numGroups, long numChannels, double eps = 1e-5, bool affine = true)
    {
        (groups, this.eps) = (numGroups, eps);
        if (!affine) return;
        weight = RegisterParameter(nameof(weight), Init.Ones([numChannels]));
        bias = RegisterParameter(nameof(bias), Init.Zeros([numChannels]));
    }

#pragma warning disable IDE1006
    public readonly Tensor? weight;
    public readonly Tensor? bias;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input) => Functional.GroupNorm(input, groups, weight, bias, eps);
}
