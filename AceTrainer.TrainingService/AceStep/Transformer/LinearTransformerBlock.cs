using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Transformer;

#pragma warning disable IDE1006 // field names equal checkpoint keys

/// <summary>A 1-D convolution with an optional SiLU after it (upstream's ConvLayer: the weights sit under "conv").</summary>
public sealed class ConvLayer : Module<Tensor, Tensor>
{
    private readonly bool silu;

    public ConvLayer(long inChannels, long outChannels, long kernelSize, long groups = 1, bool hasBias = false, bool silu = false)
    {
        this.silu = silu;
        conv = RegisterModule(nameof(conv), new Conv1d(inChannels, outChannels, kernelSize, padding: kernelSize / 2, groups: groups, hasBias: hasBias));
    }

    public readonly Conv1d conv;

    public override Tensor Forward(Tensor input)
    {
        if (!silu) return conv.Forward(input);
        using var convolved = conv.Forward(input);
        return Functional.Silu(convolved);
    }
}

/// <summary>GLUMBConv feed-forward: 1×1 conv to 2·hidden + SiLU, depthwise conv, x·SiLU(gate), 1×1 conv back.</summary>
public sealed class GluMbConv : Module<Tensor, Tensor>
{
    public GluMbConv(long dim, long hidden, long kernelSize = 3)
    {
        inverted_conv = RegisterModule(nameof(inverted_conv), new ConvLayer(dim, hidden * 2, 1, hasBias: true, silu: true));
        depth_conv = RegisterModule(nameof(depth_conv), new ConvLayer(hidden * 2, hidden * 2, kernelSize, groups: hidden * 2, hasBias: true));
        point_conv = RegisterModule(nameof(point_conv), new ConvLayer(hidden, dim, 1, hasBias: false));
    }

    public readonly ConvLayer inverted_conv, depth_conv, point_conv;

    /// <summary>[B, S, C] → [B, S, C]; the depthwise convolution mixes neighbouring frames (no mask, as upstream).</summary>
    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var channelsFirst = input.Transpose(1, 2);
        var expanded = depth_conv.Forward(inverted_conv.Forward(channelsFirst));
        var halves = expanded.Chunk(2, 1);
        var gated = halves[0] * Functional.Silu(halves[1]);
        return point_conv.Forward(gated).Transpose(1, 2).MoveToOuterScope();
    }
}

/// <summary>
/// One Sana-style block with adaLN-single: RMSNorm + modulation → linear self-attention (gated residual)
/// → cross-attention on the un-normalised stream (plain residual) → RMSNorm + modulation → GLUMBConv (gated residual).
/// </summary>
public sealed class LinearTransformerBlock : Module
{
    private const double NormEpsilon = 1e-6;

    public LinearTransformerBlock(long dim, long heads, long headDim, double mlpRatio, long crossDim)
    {
        attn = RegisterModule(nameof(attn), new LinearAttention(dim, heads, headDim));
        cross_attn = RegisterModule(nameof(cross_attn), new CrossAttention(dim, crossDim, heads, headDim));
        ff = RegisterModule(nameof(ff), new GluMbConv(dim, (long)(dim * mlpRatio)));
        scale_shift_table = RegisterParameter(nameof(scale_shift_table), ScaleShiftTable.Create(6, dim));
    }

    public readonly LinearAttention attn;
    public readonly CrossAttention cross_attn;
    public readonly GluMbConv ff;
    public readonly Tensor scale_shift_table;

    /// <summary>
    /// x [B, S, C] with mask [B, S]; condition [B, L, C] with mask [B, L]; temb [B, 6C] (t_block output).
    /// </summary>
    public Tensor Forward(Tensor x, Tensor mask, Tensor condition, Tensor conditionMask, Tensor temb, RotaryTables rope, RotaryTables conditionRope)
    {
        using var scope = new DisposeScope();
        var batch = x.Size(0);
        var modulation = (scale_shift_table.Unsqueeze(0) + temb.Reshape(batch, 6, -1)).Chunk(6, 1);
        var (shiftAttention, scaleAttention, gateAttention) = (modulation[0], modulation[1], modulation[2]);
        var (shiftFeedForward, scaleFeedForward, gateFeedForward) = (modulation[3], modulation[4], modulation[5]);

        var normed = Functional.RmsNorm(x, [x.Size(-1)], null, NormEpsilon) * (1.0 + scaleAttention) + shiftAttention;
        var hidden = gateAttention * attn.Forward(normed, mask, rope) + x;
        hidden = cross_attn.Forward(hidden, mask, condition, conditionMask, rope, conditionRope) + hidden;

        normed = Functional.RmsNorm(hidden, [hidden.Size(-1)], null, NormEpsilon) * (1.0 + scaleFeedForward) + shiftFeedForward;
        return (hidden + gateFeedForward * ff.Forward(normed)).MoveToOuterScope();
    }
}
