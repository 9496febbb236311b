using AceTrainer.AceStep.Preparation;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Training;

/// <summary>Prepared samples made of seeded random tensors with the tiny model's shapes (for loop mechanics tests).</summary>
internal static class SyntheticSamples
{
    public static List<PreparedSample> Create(int count, AceStepTransformerConfig config, long frames = 12, int variants = 2)
    {
        Torch.ManualSeed(99);
        return Enumerable.Range(0, count).Select(k => new PreparedSample
        {
            Key = $"song_{k}",
            ContentHash = $"hash{k}",
            Latents = (Tensor.Randn([8, 16, frames]) * 0.5).DetachFromDisposeScope(),
            TextStates = Tensor.Randn([variants, 6, config.TextEmbeddingDim]).DetachFromDisposeScope(),
            TextMask = Tensor.Ones([variants, 6]).DetachFromDisposeScope(),
            LyricTokens = Tensor.RandInt(3, 200, [9]).DetachFromDisposeScope(),
            LyricMask = Tensor.Ones([9]).DetachFromDisposeScope(),
        }).ToList();
    }
}
