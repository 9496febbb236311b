using AceTrainer.AceStep.Preparation;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Training;

/// <summary>Prepared samples made of seeded random tensors with the tiny model's shapes (for loop mechanics tests); disposing the set disposes them.</summary>
internal sealed class SyntheticSamples : List<PreparedSample>, IDisposable
{
    private SyntheticSamples(IEnumerable<PreparedSample> samples) : base(samples) { }

    public static SyntheticSamples Create(int count, AceStepTransformerConfig config, long frames = 12, int variants = 2)
    {
        Torch.ManualSeed(99);
        return new SyntheticSamples(Enumerable.Range(0, count).Select(k => new PreparedSample
        {
            Key = $"song_{k}",
            ContentHash = $"hash{k}",
            Latents = (Tensor.Randn([8, 16, frames]) * 0.5).DetachFromDisposeScope(),
            TextStates = Tensor.Randn([variants, 6, config.TextEmbeddingDim]).DetachFromDisposeScope(),
            TextMask = Tensor.Ones([variants, 6]).DetachFromDisposeScope(),
            LyricTokens = Tensor.RandInt(3, 200, [9]).DetachFromDisposeScope(),
            LyricMask = Tensor.Ones([9]).DetachFromDisposeScope(),
        }));
    }

    public void Dispose() => ForEach(s => s.Dispose());
}
