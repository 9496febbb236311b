using AceTrainer.Engine;
using AceTrainer.Engine.Dispatch;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Transformer;

#pragma warning disable IDE1006 // field names equal checkpoint keys

/// <summary>
/// Multi-head self-attention with Transformer-XL relative positions (ESPnet "rel_selfattn"):
/// scores = ((q + u)·kᵀ + rel_shift((q + v)·pᵀ)) / √d_k, padded keys masked.
/// </summary>
public sealed class RelPositionMultiHeadedAttention : Module
{
    private readonly long heads, headDim;
    private readonly Dropout dropout;

    public RelPositionMultiHeadedAttention(long heads, long features, double dropoutRate)
    {
        (this.heads, headDim) = (heads, features / heads);
        linear_q = RegisterModule(nameof(linear_q), new Linear(features, features));
        linear_k = RegisterModule(nameof(linear_k), new Linear(features, features));
        linear_v = RegisterModule(nameof(linear_v), new Linear(features, features));
        linear_out = RegisterModule(nameof(linear_out), new Linear(features, features));
        dropout = RegisterModule(nameof(dropout), new Dropout(dropoutRate));
        linear_pos = RegisterModule(nameof(linear_pos), new Linear(features, features, hasBias: false));
        pos_bias_u = RegisterParameter(nameof(pos_bias_u), XavierUniform(heads, headDim));
        pos_bias_v = RegisterParameter(nameof(pos_bias_v), XavierUniform(heads, headDim));
    }

    public readonly Linear linear_q, linear_k, linear_v, linear_out, linear_pos;
    public readonly Tensor pos_bias_u, pos_bias_v;

    /// <summary>x [B, T, C], keyMask [B, 1, T] bool, positions [1, 2T-1, C] → [B, T, C].</summary>
    public Tensor Forward(Tensor x, Tensor keyMask, Tensor positions)
    {
        using var scope = new DisposeScope();
        var (batch, length) = (x.Size(0), x.Size(1));
        var query = linear_q.Forward(x).View(batch, length, heads, headDim);                  // [B, T, H, d]
        var key = linear_k.Forward(x).View(batch, length, heads, headDim).Transpose(1, 2);     // [B, H, T, d]
        var value = linear_v.Forward(x).View(batch, length, heads, headDim).Transpose(1, 2);
        var position = linear_pos.Forward(positions).View(positions.Size(0), -1, heads, headDim).Transpose(1, 2);

        var withBiasU = (query + pos_bias_u).Transpose(1, 2);
        var withBiasV = (query + pos_bias_v).Transpose(1, 2);
        var content = withBiasU.MatMul(key.Transpose(-2, -1));                                // [B, H, T, T]
        var relative = withBiasV.MatMul(position.Transpose(-2, -1));                          // [B, H, T, 2T-1]
        if (!content.Shape.SequenceEqual(relative.Shape)) relative = RelativeShift(relative);
        var scores = (content + relative) / Math.Sqrt(headDim);

        var masked = keyMask.Unsqueeze(1).Eq(0.0);                                              // [B, 1, 1, T]
        var weights = Functional.Softmax(scores.MaskedFill(masked, double.NegativeInfinity), -1).MaskedFill(masked, 0.0);
        var attended = dropout.Forward(weights).MatMul(value).Transpose(1, 2).Contiguous().View(batch, length, heads * headDim);
        return linear_out.Forward(attended).MoveToOuterScope();
    }

    /// <summary>[B, H, T, 2T-1] scores per relative offset → [B, H, T, T] scores per key (offset i - j).</summary>
    private static Tensor RelativeShift(Tensor x)
    {
        var shape = x.Shape;
        var zeros = Tensor.Zeros([shape[0], shape[1], shape[2], 1], x.DType, x.Device);
        var padded = Tensor.Cat([zeros, x], -1).View(shape[0], shape[1], shape[3] + 1, shape[2]);
        return padded.Slice(2, 1, null).View(shape).Slice(3, 0, shape[3] / 2 + 1);
    }

    private static Tensor XavierUniform(long rows, long columns) => ModuleInit.Create([rows, columns], () =>
    {
        var bound = Math.Sqrt(6.0 / (rows + columns));
        using var noGrad = Torch.NoGrad();
        return Tensor.Zeros([rows, columns]).Uniform_(-bound, bound);
    });
}

/// <summary>ESPnet position-wise feed-forward: w_2(dropout(SiLU(w_1 x))).</summary>
public sealed class PositionwiseFeedForward : Module<Tensor, Tensor>
{
    private readonly Dropout dropout;

    public PositionwiseFeedForward(long dim, long hidden, double dropoutRate)
    {
        w_1 = RegisterModule(nameof(w_1), new Linear(dim, hidden));
        dropout = RegisterModule(nameof(dropout), new Dropout(dropoutRate));
        w_2 = RegisterModule(nameof(w_2), new Linear(hidden, dim));
    }

    public readonly Linear w_1, w_2;

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        return w_2.Forward(dropout.Forward(Functional.Silu(w_1.Forward(input)))).MoveToOuterScope();
    }
}

/// <summary>Pre-norm Conformer layer as the lyric encoder configures it: self-attention and feed-forward only (no macaron, no convolution).</summary>
public sealed class ConformerEncoderLayer : Module
{
    private readonly Dropout dropout;

    public ConformerEncoderLayer(long dim, long heads, long linearUnits, double dropoutRate, double attentionDropoutRate)
    {
        self_attn = RegisterModule(nameof(self_attn), new RelPositionMultiHeadedAttention(heads, dim, attentionDropoutRate));
        feed_forward = RegisterModule(nameof(feed_forward), new PositionwiseFeedForward(dim, linearUnits, dropoutRate));
        norm_ff = RegisterModule(nameof(norm_ff), new LayerNorm(dim, 1e-5));
        norm_mha = RegisterModule(nameof(norm_mha), new LayerNorm(dim, 1e-5));
        dropout = RegisterModule(nameof(dropout), new Dropout(dropoutRate));
    }

    public readonly RelPositionMultiHeadedAttention self_attn;
    public readonly PositionwiseFeedForward feed_forward;
    public readonly LayerNorm norm_ff, norm_mha;

    public Tensor Forward(Tensor x, Tensor keyMask, Tensor positions)
    {
        using var scope = new DisposeScope();
        var hidden = x + dropout.Forward(self_attn.Forward(norm_mha.Forward(x), keyMask, positions));
        return (hidden + dropout.Forward(feed_forward.Forward(norm_ff.Forward(hidden)))).MoveToOuterScope();
    }
}

/// <summary>The input layer: Linear, LayerNorm, dropout (weights under "out.0", "out.1"), then the ESPnet relative positional encoding.</summary>
public sealed class LinearEmbed : Module
{
    private readonly long dim;
    private readonly Dropout positionalDropout;

    public LinearEmbed(long inputDim, long dim, double dropoutRate, double positionalDropoutRate)
    {
        this.dim = dim;
        @out = RegisterModule("out", new Sequential(new Linear(inputDim, dim), new LayerNorm(dim, 1e-5), new Dropout(dropoutRate)));
        positionalDropout = RegisterModule("pos_enc", new Dropout(positionalDropoutRate));
    }

    public readonly Sequential @out;

    /// <summary>x [B, T, input] → (x·√dim [B, T, dim], relative position encodings [1, 2T-1, dim]).</summary>
    public (Tensor X, Tensor Positions) Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        var scaled = @out.Forward(x) * Math.Sqrt(dim);
        var positions = RelativePositions(x.Size(1), dim, scaled.Device).To(scaled.DType);
        return (positionalDropout.Forward(scaled).MoveToOuterScope(), positionalDropout.Forward(positions).MoveToOuterScope());
    }

    /// <summary>
    /// Encodings of the offsets T-1 … -(T-1): interleaved sin (even channels) and cos (odd) of offset·ω_k,
    /// ω_k = exp(-2k·ln(10000)/dim), computed in float32 as ESPnet does.
    /// </summary>
    public static Tensor RelativePositions(long length, long dim, Device device)
    {
        using var scope = new DisposeScope();
        var frequencies = (Tensor.Arange(0, dim, 2, DType.Float32, device) * -(Math.Log(10000.0) / dim)).Exp();
        var offsets = Tensor.Arange(length - 1, -length, -1, DType.Float32, device);
        var angles = offsets.Unsqueeze(1) * frequencies.Unsqueeze(0);
        return Tensor.Stack([angles.Sin(), angles.Cos()], -1).Reshape(1, 2 * length - 1, dim).MoveToOuterScope();
    }
}

/// <summary>
/// The lyric encoder (upstream's ConformerEncoder with static_chunk_size 0: full attention over the
/// unpadded lyric tokens). [B, L, hidden] embeddings and [B, L] mask → [B, L, output size].
/// </summary>
public sealed class LyricConformerEncoder : Module
{
    public LyricConformerEncoder(AceStepTransformerConfig config)
    {
        long dim = config.LyricEncoderOutputSize;
        embed = RegisterModule(nameof(embed), new LinearEmbed(config.LyricHiddenSize, dim, config.LyricEncoderDropoutRate, config.LyricEncoderPositionalDropoutRate));
        after_norm = RegisterModule(nameof(after_norm), new LayerNorm(dim, 1e-5));
        encoders = RegisterModule(nameof(encoders), new ModuleList<ConformerEncoderLayer>(
            Enumerable.Range(0, config.LyricEncoderNumBlocks).Select(_ => new ConformerEncoderLayer(
                dim, config.LyricEncoderAttentionHeads, config.LyricEncoderLinearUnits,
                config.LyricEncoderDropoutRate, config.LyricEncoderAttentionDropoutRate))));
    }

    public readonly LinearEmbed embed;
    public readonly LayerNorm after_norm;
    public readonly ModuleList<ConformerEncoderLayer> encoders;

    public Tensor Forward(Tensor embeddings, Tensor mask)
    {
        using var scope = new DisposeScope();
        var keyMask = mask.To(DType.Bool).Unsqueeze(1);
        var (x, positions) = embed.Forward(embeddings);
        foreach (var layer in encoders) x = layer.Forward(x, keyMask, positions);
        return after_norm.Forward(x).MoveToOuterScope();
    }
}
