using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Transformer;

/// <summary>Seeded tiny models and inputs (B = 2, T = 6 latent frames, S = 5 text tokens, L = 7 lyric tokens; the second sample padded).</summary>
internal static class TinyTransformer
{
    public const int Frames = 6, TextTokens = 5, LyricTokens = 7;

    public static AceStepTransformer Create(ulong seed = 1)
    {
        Torch.ManualSeed(seed);
        return new AceStepTransformer(AceStepTransformerConfig.Tiny());
    }

    /// <summary>Inputs owned by the caller's dispose scope; sample 1 has 3 text and 4 lyric tokens, the rest padding.</summary>
    public static TransformerInputs Inputs(AceStepTransformerConfig config, ulong seed = 2, DType dtype = DType.Float32)
    {
        Torch.ManualSeed(seed);
        var latents = Tensor.Randn([2, config.InChannels, config.PatchSize[0], Frames]).To(dtype); // drawn in float32 so every dtype sees the same values
        var attentionMask = Tensor.Ones([2, Frames], dtype);
        var text = Tensor.Randn([2, TextTokens, config.TextEmbeddingDim]).To(dtype);
        var textMask = Tensor.From(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, 2, TextTokens).To(dtype);
        var speaker = Tensor.Randn([2, config.SpeakerEmbeddingDim]).To(dtype);
        var lyrics = Tensor.RandInt(3, config.LyricEncoderVocabSize - 20, [2, LyricTokens]); // room for tests that shift ids by 17
        var lyricMask = Tensor.From(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, 2, LyricTokens).To(dtype);
        var timestep = Tensor.From(new float[] { 250f, 900f });
        return new TransformerInputs(latents, attentionMask, text, textMask, speaker, lyrics, lyricMask, timestep);
    }

    public static float MaxAbsDifference(Tensor a, Tensor b)
    {
        using var scope = new DisposeScope();
        return (float)(a.To(DType.Float32) - b.To(DType.Float32)).Abs().Max().Item();
    }
}
