using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Training;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Optim;

namespace AceTrainer.AceStep.Tiny;

/// <summary>
/// Makes the tiny transformer a conditional denoiser before anyone fine-tunes it: a LoRA on a randomly initialised
/// base cannot learn much (the frozen path from the noisy latents to the output is noise), while on the real,
/// pretrained base it only has to add what is specific to the new songs. So the tiny base is trained in full on DCAE
/// latents of synthetic tones and noise (made here, no files) with the flow-matching objective. Each clip has its own
/// random text states and lyric ids (dropped 15% of the time, as in training), so that, as in the real base, the
/// cross-attention carries what the conditioning says about the audio.
/// </summary>
public static class TinyPretraining
{
    public static void Run(AceStepTransformer model, MusicDcae dcae, int steps = 250, int clips = 12, long seed = 0)
    {
        var latents = SyntheticLatents(dcae, clips, seed);
        var conditions = Enumerable.Range(0, clips).Select(_ => ClipCondition(model.Config)).ToList();
        try
        {
            var flow = new FlowMatching();
            var parameters = model.Parameters().ToList();
            using var optimizer = new AdamW(parameters, new AdamWOptions(LearningRate: 1e-3, Beta1: 0.9, Beta2: 0.99, WeightDecay: 0));
            var schedule = new CosineSchedule(WarmupSteps: 20, TotalSteps: steps);
            model.Train();
            for (var step = 0; step < steps; step++)
            {
                using var scope = new DisposeScope();
                schedule.Apply(optimizer, step);
                var clip = step % latents.Count;
                var x0 = latents[clip].Unsqueeze(0);
                var (text, lyrics) = conditions[clip];
                if (Tensor.Rand([1]).Item() < 0.15) (text, lyrics) = (Tensor.Zeros([1, 1, model.Config.TextEmbeddingDim]), Tensor.Zeros([1, 1], DType.Int64));
                var frames = x0.Size(-1);
                var mask = Tensor.Ones([1, frames]);
                var noise = Tensor.RandnLike(x0);
                var sigmaValue = flow.Sigma(flow.SampleIndices(1)[0]);
                var sigma = Tensor.Full([1, 1, 1, 1], sigmaValue);
                var noisy = FlowMatching.Noisy(x0, noise, sigma);
                var inputs = new TransformerInputs(noisy, mask, text, Tensor.Ones([1, text.Size(1)]),
                    Tensor.Zeros([1, model.Config.SpeakerEmbeddingDim]), lyrics, Tensor.Ones([1, lyrics.Size(1)]),
                    Tensor.Full([1], sigmaValue * flow.TrainSteps));
                FlowMatching.Loss(model.Forward(inputs), noisy, sigma, x0, mask).Backward();
                GradientClipping.ClipGradNorm(parameters, 1.0);
                optimizer.Step();
                optimizer.ZeroGrad();
            }
            model.Eval();
        }
        finally
        {
            latents.ForEach(l => l.Dispose());
            conditions.ForEach(c => { c.Text.Dispose(); c.Lyrics.Dispose(); });
        }
    }

    /// <summary>A clip's own conditioning, as a caption and lyrics would give: random text states [1,8,D] and lyric ids [1,8].</summary>
    private static (Tensor Text, Tensor Lyrics) ClipCondition(AceStepTransformerConfig config)
    {
        using var scope = new DisposeScope();
        var text = Tensor.Randn([1, 8, config.TextEmbeddingDim]);
        var lyrics = (Tensor.Rand([1, 8]) * (config.LyricEncoderVocabSize - 1) + 1).To(DType.Int64);
        return (text.DetachFromDisposeScope(), lyrics.DetachFromDisposeScope());
    }

    /// <summary>DCAE latents [8,16,T] of seeded 4 s stereo clips: a few sines with drifting pitch and noise bursts.</summary>
    private static List<Tensor> SyntheticLatents(MusicDcae dcae, int clips, long seed)
    {
        var random = new Random((int)seed);
        var result = new List<Tensor>();
        using var noGrad = Torch.NoGrad();
        for (var k = 0; k < clips; k++)
        {
            using var scope = new DisposeScope();
            var n = 4L * TrainingAudio.SampleRate;
            var t = Tensor.Arange(0, n, 1) / TrainingAudio.SampleRate;
            var mono = Tensor.Zeros([n]);
            for (var voice = 0; voice < 3; voice++)
            {
                var frequency = 60 * Math.Pow(2, random.NextDouble() * 6);
                var drift = (random.NextDouble() - 0.5) * frequency * 0.2;
                var phase = (t * frequency + t.Square() * (drift / 2)) * (2 * Math.PI);
                mono = mono + phase.Sin() * (0.05 + 0.15 * random.NextDouble());
            }
            var envelope = ((t * (2 * Math.PI * (0.5 + 2 * random.NextDouble()))).Sin() + 1) * 0.5;
            mono = mono + Tensor.Randn([n]) * envelope * (0.1 * random.NextDouble());
            var stereo = Tensor.Stack([mono, mono * (0.7 + 0.3 * random.NextDouble())]).Clamp(-1, 1);
            result.Add(dcae.Encode(stereo.Unsqueeze(0)).Squeeze(0).DetachFromDisposeScope());
        }
        return result;
    }
}
