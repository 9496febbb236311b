using AceTrainer.Engine.Dispatch;

namespace AceTrainer.Engine;

public static partial class Functional
{
    private static readonly Op? NativeAttention = Op.Find("aten::scaled_dot_product_attention");
    private static readonly bool NativeAttentionTakesScale = NativeAttention?.Schema.Contains("float? scale") ?? false;

    /// <summary>Whether this libtorch has aten::scaled_dot_product_attention (PyTorch 2.0+).</summary>
    public static bool HasNativeAttention => NativeAttention is not null;

    /// <summary>
    /// softmax(q kᵀ · scale + mask) v over (..., L, E) queries and (..., S, E) keys. A boolean mask marks
    /// positions that take part; a float mask is added to the scores. Uses libtorch's fused kernel when
    /// present, else the explicit composition (<see cref="ComposedAttention"/>).
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? mask = null,
        double dropoutP = 0, bool isCausal = false, double? scale = null)
    {
        if (NativeAttention is not null && (scale is null || NativeAttentionTakesScale))
        {
            return scale is null
                ? NativeAttention.Invoke(query, key, value, mask, dropoutP, isCausal)
                : NativeAttention.Invoke(query, key, value, mask, dropoutP, isCausal, scale.Value);
        }
        return ComposedAttention(query, key, value, mask, dropoutP, isCausal, scale);
    }

    /// <summary>Attention from matmul, masking and softmax (the reference semantics of the fused kernel).</summary>
    public static Tensor ComposedAttention(Tensor query, Tensor key, Tensor value, Tensor? mask = null,
        double dropoutP = 0, bool isCausal = false, double? scale = null)
    {
        var factor = scale ?? 1.0 / Math.Sqrt(query.Size(-1));
        using var keyT = key.Transpose(-2, -1);
        using var raw = query.MatMul(keyT);
        var scores = raw * factor;
        try
        {
            if (isCausal)
            {
                using var ones = Tensor.Ones([query.Size(-2), key.Size(-2)], DType.Bool, query.Device);
                using var keep = ones.Tril();
                using var drop = keep.LogicalNot();
                Replace(ref scores, scores.MaskedFill(drop, double.NegativeInfinity));
            }
            if (mask is not null)
            {
                if (mask.DType == DType.Bool)
                {
                    using var drop = mask.LogicalNot();
                    Replace(ref scores, scores.MaskedFill(drop, double.NegativeInfinity));
                }
                else
                {
                    Replace(ref scores, scores + mask);
                }
            }
            var weights = Softmax(scores, -1);
            if (dropoutP > 0) Replace(ref weights, Dropout(weights, dropoutP, training: true));
            using (weights) return weights.MatMul(value);
        }
        finally
        {
            scores.Dispose();
        }
    }

    private static void Replace(ref Tensor current, Tensor next)
    {
        current.Dispose();
        current = next;
    }
}
