using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// UMT5 self-attention: bias-free q/k/v/o, scores q·kᵀ without 1/√d scaling, plus this layer's bidirectional
/// relative position bias (bucketed like T5: exact for small distances, logarithmic up to max_distance) and the
/// additive padding mask; softmax in float32.
/// </summary>
public sealed class Umt5Attention : Module
{
    private readonly int heads;
    private readonly int headDim;
    private readonly int buckets;
    private readonly int maxDistance;

    public Umt5Attention(Umt5Config config)
    {
        heads = config.NumHeads;
        headDim = config.DKv;
        buckets = config.RelativeAttentionNumBuckets;
        maxDistance = config.RelativeAttentionMaxDistance;
        var inner = heads * headDim;
        q = RegisterModule(nameof(q), new Linear(config.DModel, inner, hasBias: false));
        k = RegisterModule(nameof(k), new Linear(config.DModel, inner, hasBias: false));
        v = RegisterModule(nameof(v), new Linear(config.DModel, inner, hasBias: false));
        o = RegisterModule(nameof(o), new Linear(inner, config.DModel, hasBias: false));
        relative_attention_bias = RegisterModule(nameof(relative_attention_bias), new Embedding(buckets, heads));
    }

#pragma warning disable IDE1006
    public readonly Linear q;
    public readonly Linear k;
    public readonly Linear v;
    public readonly Linear o;
    public readonly Embedding relative_attention_bias;
#pragma warning restore IDE1006

    /// <summary><paramref name="hidden"/> [B, S, d_model], <paramref name="additiveMask"/> [B, 1, 1, S].</summary>
    public Tensor Forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = new DisposeScope();
        long batch = hidden.Size(0), length = hidden.Size(1);
        Tensor Heads(Linear projection) => projection.Forward(hidden).View(batch, length, heads, headDim).Transpose(1, 2);
        var query = Heads(q);
        var key = Heads(k);
        var value = Heads(v);

        var scores = query.MatMul(key.Transpose(-2, -1));
        var bias = PositionBias(length, hidden.Device) + additiveMask;
        scores = scores + bias;
        var weights = Functional.Softmax(scores.To(DType.Float32), -1).To(scores.DType);
        var attended = weights.MatMul(value).Transpose(1, 2).Contiguous().View(batch, length, heads * headDim);
        return scope.MoveOut(o.Forward(attended));
    }

    /// <summary>[1, heads, S, S] bias for key position j seen from query position i.</summary>
    private Tensor PositionBias(long length, Device device)
    {
        var positions = Tensor.Arange(length, DType.Int64, device);
        var relative = positions.Unsqueeze(0) - positions.Unsqueeze(1);
        var bucket = Bucket(relative);
        return relative_attention_bias.Forward(bucket).Permute(2, 0, 1).Unsqueeze(0);
    }

    // The same tensor ops as HF's _relative_position_bucket (bidirectional), so float32 rounding at bucket
    // edges matches the reference exactly.
    private Tensor Bucket(Tensor relative)
    {
        var half = buckets / 2;
        var maxExact = half / 2;
        var distance = relative.Abs().To(DType.Float32);
        var isSmall = distance.Lt(maxExact);
        var logRatio = (distance / maxExact).Log() / Math.Log((double)maxDistance / maxExact) * (half - maxExact);
        // The integer arithmetic of the reference, carried in float32 (exact for these small values).
        var large = (logRatio.To(DType.Int32).To(DType.Float32) + maxExact).Clamp(null, half - 1);
        var direction = relative.Gt(0).To(DType.Float32) * half;
        return (direction + distance.Where(isSmall, large)).To(DType.Int64);
    }
}
