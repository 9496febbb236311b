namespace AceTrainer.Engine.Modules;

/// <summary>1-D convolution over (N, C, L); groups = channels gives a depthwise convolution.</summary>
public sealed class Conv1d : Module<Tensor, Tensor>
{
    private readonly long stride, padding, dilation, groups;

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool hasBias = true)
    {
        (this.stride, this.padding, this.dilation, this.groups) = (stride, padding, dilation, groups);
        var bound = 1.0 / Math.Sqrt(inChannels / groups * kernelSize);
        weight = RegisterParameter(nameof(weight), Init.Uniform([outChannels, inChannels / groups, kernelSize], bound));
        if (hasBias) bias = RegisterParameter(nameof(bias), Init.Uniform([outChannels], bound));
    }

#pragma warning disable IDE1006
    public readonly Tensor weight;
    public readonly Tensor? bias;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input) => Functional.Conv1d(input, weight, bias, stride, padding, dilation, groups);
}

/// <summary>2-D convolution over (N, C, H, W); groups = channels gives a depthwise convolution.</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    private readonly long[] stride, padding, dilation;
    private readonly long groups;

    /// <summary>Square kernel, same stride, padding and dilation in both directions.</summary>
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool hasBias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation), groups, hasBias)
    {
    }

    /// <summary>Rectangular kernel (height, width), e.g. a (16, 1) patch embedding.</summary>
    public Conv2d(long inChannels, long outChannels, (long Height, long Width) kernelSize, (long Height, long Width) stride,
        (long Height, long Width) padding = default, (long Height, long Width)? dilation = null, long groups = 1, bool hasBias = true)
    {
        var d = dilation ?? (1, 1);
        (this.stride, this.padding, this.dilation, this.groups) = ([stride.Height, stride.Width], [padding.Height, padding.Width], [d.Height, d.Width], groups);
        var bound = 1.0 / Math.Sqrt(inChannels / groups * kernelSize.Height * kernelSize.Width);
        weight = RegisterParameter(nameof(weight), Init.Uniform([outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width], bound));
        if (hasBias) bias = RegisterParameter(nameof(bias), Init.Uniform([outChannels], bound));
    }

#pragma warning disable IDE1006
    public readonly Tensor weight;
    public readonly Tensor? bias;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, weight, bias, stride, padding, dilation, groups);
}
