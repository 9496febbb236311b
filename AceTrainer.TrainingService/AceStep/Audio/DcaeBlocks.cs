using AceTrainer.Engine;
using AceTrainer.Engine.Dispatch;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Audio;

// The encoder blocks of diffusers' AutoencoderDC (DC-AE / SANA). Field names equal the checkpoint keys.
#pragma warning disable IDE1006

/// <summary>diffusers <c>RMSNorm(dim, 1e-5, bias=True)</c> applied over the channel axis of (N, C, H, W), in float32.</summary>
public sealed class ChannelRmsNorm : Module<Tensor, Tensor>
{
    private readonly double eps;

    public ChannelRmsNorm(long channels, double eps = 1e-5)
    {
        this.eps = eps;
        weight = RegisterParameter(nameof(weight), Tensor.Ones([channels]));
        bias = RegisterParameter(nameof(bias), Tensor.Zeros([channels]));
    }

    public readonly Tensor weight;
    public readonly Tensor bias;

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var x = input.To(DType.Float32);
        var inverse = (x.Square().Mean(1, keepDim: true) + eps).Rsqrt();
        var normalized = (x * inverse).To(weight.DType);
        var channels = weight.Size(0);
        var result = normalized * weight.View(1, channels, 1, 1) + bias.View(1, channels, 1, 1);
        return scope.MoveOut(result);
    }
}

/// <summary>conv3x3 → SiLU → conv3x3 (no bias) → channel RMSNorm, plus the input.</summary>
public sealed class DcaeResBlock : Module<Tensor, Tensor>
{
    public DcaeResBlock(long channels)
    {
        conv1 = RegisterModule(nameof(conv1), new Conv2d(channels, channels, 3, padding: 1));
        conv2 = RegisterModule(nameof(conv2), new Conv2d(channels, channels, 3, padding: 1, hasBias: false));
        norm = RegisterModule(nameof(norm), new ChannelRmsNorm(channels));
    }

    public readonly Conv2d conv1;
    public readonly Conv2d conv2;
    public readonly ChannelRmsNorm norm;

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var x = norm.Forward(conv2.Forward(Functional.Silu(conv1.Forward(input))));
        return scope.MoveOut(x + input);
    }
}

/// <summary>
/// <c>DCDownBlock2d</c> with a stride-2 conv ("Conv") or a conv followed by pixel-unshuffle ("pixel_unshuffle");
/// the shortcut averages channel groups of the pixel-unshuffled input.
/// </summary>
public sealed class DcaeDownBlock : Module<Tensor, Tensor>
{
    private readonly bool unshuffle;
    private readonly bool shortcut;
    private readonly long groupSize;

    public DcaeDownBlock(long inChannels, long outChannels, bool pixelUnshuffle, bool shortcut)
    {
        (unshuffle, this.shortcut) = (pixelUnshuffle, shortcut);
        groupSize = inChannels * 4 / outChannels;
        if (pixelUnshuffle && outChannels % 4 != 0) throw new ArgumentException($"pixel-unshuffle downsampling needs a multiple of 4 channels, got {outChannels}");
        conv = RegisterModule(nameof(conv), new Conv2d(inChannels, pixelUnshuffle ? outChannels / 4 : outChannels, 3, stride: pixelUnshuffle ? 1 : 2, padding: 1));
    }

    public readonly Conv2d conv;

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var x = conv.Forward(input);
        if (unshuffle) x = PixelUnshuffle(x);
        if (shortcut) x += GroupMean(PixelUnshuffle(input), groupSize);
        return scope.MoveOut(x);
    }

    internal static Tensor PixelUnshuffle(Tensor x) => Op.Get("aten::pixel_unshuffle").Invoke(x, 2L);

    /// <summary>(N, C, H, W) → (N, C/group, H, W): the mean over consecutive channel groups.</summary>
    internal static Tensor GroupMean(Tensor x, long group)
    {
        var s = x.Shape;
        using var grouped = x.View(s[0], s[1] / group, group, s[2], s[3]);
        return grouped.Mean(2);
    }
}

/// <summary>One extra scale of <c>SanaMultiscaleLinearAttention</c>: depthwise k×k conv, then a grouped 1×1 conv per head.</summary>
public sealed class MultiscaleProjection : Module<Tensor, Tensor>
{
    public MultiscaleProjection(long innerDim, long heads, long kernelSize)
    {
        var channels = 3 * innerDim;
        proj_in = RegisterModule(nameof(proj_in), new Conv2d(channels, channels, kernelSize, padding: kernelSize / 2, groups: channels, hasBias: false));
        proj_out = RegisterModule(nameof(proj_out), new Conv2d(channels, channels, 1, groups: 3 * heads, hasBias: false));
    }

    public readonly Conv2d proj_in;
    public readonly Conv2d proj_out;

    public override Tensor Forward(Tensor input)
    {
        using var inner = proj_in.Forward(input);
        return proj_out.Forward(inner);
    }
}

/// <summary>
/// <c>SanaMultiscaleLinearAttention</c> with its 2.0 processor: ReLU-kernel linear attention over all H·W positions
/// (quadratic, normalised over keys, when H·W ≤ head dim), channel RMSNorm and a residual.
/// </summary>
public sealed class MultiscaleLinearAttention : Module<Tensor, Tensor>
{
    private const double Eps = 1e-15;
    private readonly long headDim;
    private readonly long innerDim;

    public MultiscaleLinearAttention(long channels, long headDim, IReadOnlyList<int> kernelSizes)
    {
        this.headDim = headDim;
        var heads = channels / headDim;
        innerDim = heads * headDim;
        to_q = RegisterModule(nameof(to_q), new Linear(channels, innerDim, hasBias: false));
        to_k = RegisterModule(nameof(to_k), new Linear(channels, innerDim, hasBias: false));
        to_v = RegisterModule(nameof(to_v), new Linear(channels, innerDim, hasBias: false));
        to_qkv_multiscale = RegisterModule(nameof(to_qkv_multiscale), new ModuleList<MultiscaleProjection>(kernelSizes.Select(k => new MultiscaleProjection(innerDim, heads, k))));
        to_out = RegisterModule(nameof(to_out), new Linear(innerDim * (1 + kernelSizes.Count), channels, hasBias: false));
        norm_out = RegisterModule(nameof(norm_out), new ChannelRmsNorm(channels));
    }

    public readonly Linear to_q;
    public readonly Linear to_k;
    public readonly Linear to_v;
    public readonly ModuleList<MultiscaleProjection> to_qkv_multiscale;
    public readonly Linear to_out;
    public readonly ChannelRmsNorm norm_out;

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var (batch, height, width) = (input.Size(0), input.Size(2), input.Size(3));
        var linear = height * width > headDim;
        var qkv = Tensor.Cat([Pointwise(input, to_q.weight), Pointwise(input, to_k.weight), Pointwise(input, to_v.weight)], 1);
        var scales = new List<Tensor> { qkv };
        scales.AddRange(to_qkv_multiscale.Select(projection => projection.Forward(qkv)));
        var all = Tensor.Cat(scales, 1);
        if (linear) all = all.To(DType.Float32);
        var parts = all.Reshape(batch, -1, 3 * headDim, height * width).Chunk(3, 2);
        var (query, key, value) = (Functional.Relu(parts[0]), Functional.Relu(parts[1]), parts[2]);
        var attended = linear ? LinearAttention(query, key, value).To(input.DType) : QuadraticAttention(query, key, value);
        var merged = Pointwise(attended.Reshape(batch, -1, height, width), to_out.weight);
        return scope.MoveOut(norm_out.Forward(merged) + input);
    }

    // v' = [v; 1]; out = (v' kᵀ) q, then the first d rows divided by the last (the normaliser)
    private static Tensor LinearAttention(Tensor query, Tensor key, Tensor value)
    {
        var padded = Op.Get("aten::constant_pad_nd").Invoke(value, new long[] { 0, 0, 0, 1 }, 1.0);
        var context = padded.MatMul(key.Transpose(-1, -2));
        var output = context.MatMul(query).To(DType.Float32);
        var rows = output.Size(2);
        return output.Narrow(2, 0, rows - 1) / (output.Narrow(2, rows - 1, 1) + Eps);
    }

    private static Tensor QuadraticAttention(Tensor query, Tensor key, Tensor value)
    {
        var scores = key.Transpose(-1, -2).MatMul(query).To(DType.Float32);
        scores /= scores.Sum(2, keepDim: true) + Eps;
        return value.MatMul(scores.To(value.DType));
    }

    /// <summary>A channel-mixing Linear applied to (N, C, H, W) as a 1×1 convolution.</summary>
    private static Tensor Pointwise(Tensor x, Tensor weight) =>
        Functional.Conv2d(x, weight.View(weight.Size(0), weight.Size(1), 1, 1));
}

/// <summary><c>GLUMBConv</c>: 1×1 expand (×4, doubled for the gate) → SiLU → depthwise 3×3 → x·SiLU(gate) → 1×1 → RMSNorm, plus the input.</summary>
public sealed class GluMbConv : Module<Tensor, Tensor>
{
    public GluMbConv(long channels, long expandRatio = 4)
    {
        var hidden = expandRatio * channels;
        conv_inverted = RegisterModule(nameof(conv_inverted), new Conv2d(channels, 2 * hidden, 1));
        conv_depth = RegisterModule(nameof(conv_depth), new Conv2d(2 * hidden, 2 * hidden, 3, padding: 1, groups: 2 * hidden));
        conv_point = RegisterModule(nameof(conv_point), new Conv2d(hidden, channels, 1, hasBias: false));
        norm = RegisterModule(nameof(norm), new ChannelRmsNorm(channels));
    }

    public readonly Conv2d conv_inverted;
    public readonly Conv2d conv_depth;
    public readonly Conv2d conv_point;
    public readonly ChannelRmsNorm norm;

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var expanded = conv_depth.Forward(Functional.Silu(conv_inverted.Forward(input)));
        var halves = expanded.Chunk(2, 1);
        var gated = halves[0] * Functional.Silu(halves[1]);
        return scope.MoveOut(norm.Forward(conv_point.Forward(gated)) + input);
    }
}

/// <summary><c>EfficientViTBlock</c>: multiscale linear attention, then a GLU MBConv.</summary>
public sealed class EfficientViTBlock : Module<Tensor, Tensor>
{
    public EfficientViTBlock(long channels, long headDim, IReadOnlyList<int> qkvMultiscales)
    {
        attn = RegisterModule(nameof(attn), new MultiscaleLinearAttention(channels, headDim, qkvMultiscales));
        conv_out = RegisterModule(nameof(conv_out), new GluMbConv(channels));
    }

    public readonly MultiscaleLinearAttention attn;
    public readonly GluMbConv conv_out;

    public override Tensor Forward(Tensor input)
    {
        using var attended = attn.Forward(input);
        return conv_out.Forward(attended);
    }
}
#pragma warning restore IDE1006
