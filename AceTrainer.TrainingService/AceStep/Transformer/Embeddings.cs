using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Transformer;

#pragma warning disable IDE1006 // field names equal checkpoint keys

/// <summary>diffusers' Timesteps (flip_sin_to_cos, shift 0) and TimestepEmbedding (linear_1, SiLU, linear_2).</summary>
public sealed class TimestepEmbedding : Module<Tensor, Tensor>
{
    private const double MaxPeriod = 10000;

    public TimestepEmbedding(long channels, long dim)
    {
        linear_1 = RegisterModule(nameof(linear_1), new Linear(channels, dim));
        linear_2 = RegisterModule(nameof(linear_2), new Linear(dim, dim));
    }

    public readonly Linear linear_1, linear_2;

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        return linear_2.Forward(Functional.Silu(linear_1.Forward(input))).MoveToOuterScope();
    }

    /// <summary>Sinusoidal features [B, channels] in float32: cos of t·ω_k first, then sin.</summary>
    public static Tensor Sinusoidal(Tensor timestep, long channels)
    {
        using var scope = new DisposeScope();
        var half = channels / 2;
        var exponent = Tensor.Arange(0, half, 1, DType.Float32, timestep.Device) * -Math.Log(MaxPeriod) / half;
        var angles = timestep.To(DType.Float32).Unsqueeze(1) * exponent.Exp().Unsqueeze(0);
        var features = Tensor.Cat([angles.Cos(), angles.Sin()], -1);
        if (channels % 2 == 1) features = Tensor.Cat([features, Tensor.Zeros([features.Size(0), 1], DType.Float32, features.Device)], -1);
        return features.MoveToOuterScope();
    }
}

/// <summary>Upstream's PatchEmbed: Conv2d with kernel = stride = patch, GroupNorm(32), 1×1 Conv2d; [B, C, H, W] → [B, tokens, dim].</summary>
public sealed class PatchEmbed : Module<Tensor, Tensor>
{
    public PatchEmbed(long inChannels, long dim, (long Height, long Width) patch)
    {
        var hidden = inChannels * 256;
        early_conv_layers = RegisterModule(nameof(early_conv_layers), new Sequential(
            new Conv2d(inChannels, hidden, patch, patch),
            new GroupNorm(32, hidden, eps: 1e-6),
            new Conv2d(hidden, dim, 1)));
    }

    public readonly Sequential early_conv_layers;

    public override Tensor Forward(Tensor input)
    {
        using var embedded = early_conv_layers.Forward(input);
        using var flat = embedded.Flatten(2);
        return flat.Transpose(1, 2);
    }
}

/// <summary>Sana's final layer: RMSNorm, shift/scale from the timestep embedding, Linear to patch pixels, unpatchify.</summary>
public sealed class FinalLayer : Module
{
    private readonly long outChannels;
    private readonly (long Height, long Width) patch;

    public FinalLayer(long dim, (long Height, long Width) patch, long outChannels)
    {
        (this.outChannels, this.patch) = (outChannels, patch);
        linear = RegisterModule(nameof(linear), new Linear(dim, patch.Height * patch.Width * outChannels));
        scale_shift_table = RegisterParameter(nameof(scale_shift_table), ScaleShiftTable.Create(2, dim));
    }

    public readonly Linear linear;
    public readonly Tensor scale_shift_table;

    /// <summary>x [B, T, C], embedded timestep [B, C] → [B, out, patchH, width] (cut or zero-padded to <paramref name="width"/>).</summary>
    public Tensor Forward(Tensor x, Tensor embeddedTimestep, long width)
    {
        using var scope = new DisposeScope();
        var halves = (scale_shift_table.Unsqueeze(0) + embeddedTimestep.Unsqueeze(1)).Chunk(2, 1);
        var modulated = Functional.RmsNorm(x, [x.Size(-1)], null, 1e-6) * (1.0 + halves[1]) + halves[0];
        var pixels = linear.Forward(modulated);
        var (batch, tokens) = (pixels.Size(0), pixels.Size(1));
        var output = pixels.Reshape(batch, 1, tokens, patch.Height, patch.Width, outChannels)
            .Permute(0, 5, 1, 3, 2, 4)
            .Reshape(batch, outChannels, patch.Height, tokens * patch.Width);
        var produced = tokens * patch.Width;
        if (width < produced) output = output.Narrow(3, 0, width);
        else if (width > produced)
            output = Tensor.Cat([output, Tensor.Zeros([batch, outChannels, patch.Height, width - produced], output.DType, output.Device)], 3);
        return output.Contiguous().MoveToOuterScope();
    }
}

/// <summary>adaLN shift/scale/gate tables (blocks: 6 rows, final layer: 2), initialised as upstream: N(0, 1)/√dim.</summary>
internal static class ScaleShiftTable
{
    public static Tensor Create(long rows, long dim) => ModuleInit.Create([rows, dim], () =>
    {
        using var noGrad = Torch.NoGrad();
        using var draw = Tensor.Randn([rows, dim]);
        return draw / Math.Sqrt(dim);
    });
}
