using AceTrainer.Engine.Dispatch;

namespace AceTrainer.Engine;

/// <summary>How a loss reduces over elements; values equal at::Reduction.</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

public static partial class Functional
{
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Op.Get("aten::mse_loss").Invoke(input, target, (long)reduction);

    public static Tensor CosineSimilarity(Tensor x1, Tensor x2, long dim = 1, double eps = 1e-8) =>
        Op.Get("aten::cosine_similarity").Invoke(x1, x2, dim, eps);

    /// <summary>
    /// <c>nn.CosineEmbeddingLoss</c>: 1 - cos(x1, x2) where target is 1, max(0, cos - margin) where it is -1.
    /// </summary>
    public static Tensor CosineEmbeddingLoss(Tensor x1, Tensor x2, Tensor target, double margin = 0, Reduction reduction = Reduction.Mean) =>
        Op.Get("aten::cosine_embedding_loss").Invoke(x1, x2, target, margin, (long)reduction);

    /// <summary>Mean of 1 - cos(x1, x2) along <paramref name="dim"/>: the usual "cosine loss" for embeddings.</summary>
    public static Tensor CosineLoss(Tensor x1, Tensor x2, long dim = -1)
    {
        using var cosine = CosineSimilarity(x1, x2, dim);
        using var loss = 1.0 - cosine;
        return loss.Mean();
    }

    public static Tensor CrossEntropy(Tensor logits, Tensor target, long ignoreIndex = -100, double labelSmoothing = 0, Reduction reduction = Reduction.Mean) =>
        Op.Get("aten::cross_entropy_loss").Invoke(logits, target, OpArg.None, (long)reduction, ignoreIndex, labelSmoothing);
}
