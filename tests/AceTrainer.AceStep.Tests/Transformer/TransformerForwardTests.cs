using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Tests.Transformer;

public sealed class TransformerForwardTests
{
    [Fact]
    public void ForwardGivesAFiniteVelocityShapedLikeTheLatents()
    {
        using var scope = new DisposeScope();
        using var model = TinyTransformer.Create();
        model.Eval();
        var inputs = TinyTransformer.Inputs(model.Config);
        var output = model.Forward(inputs);
        Assert.Equal(inputs.Latents.Shape, output.Shape);
        Assert.Equal(0.0, Engine.Dispatch.Op.Get("aten::isfinite").Invoke(output).LogicalNot().Sum().Item());

        var (states, mask) = model.Encode(inputs.TextHiddenStates, inputs.TextMask, inputs.SpeakerEmbeds, inputs.LyricTokens, inputs.LyricMask);
        Assert.Equal([2L, 1 + TinyTransformer.TextTokens + TinyTransformer.LyricTokens, model.Config.InnerDim], states.Shape);
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, mask.Select(0, 0).ToArray<float>());
        Assert.Equal(1 + 3 + 4, mask.Select(0, 1).Sum().Item(), 5);
        var decoded = model.Decode(inputs.Latents, inputs.AttentionMask, states, mask, inputs.Timestep);
        Assert.True(TinyTransformer.MaxAbsDifference(output, decoded) == 0);

        // the timestep matters
        var later = model.Forward(inputs with { Timestep = Tensor.From(new float[] { 10f, 10f }) });
        Assert.True(TinyTransformer.MaxAbsDifference(output, later) > 1e-4);
    }

    [Fact]
    public void BackwardReachesEveryParameterTheLossDependsOn()
    {
        using var scope = new DisposeScope();
        using var model = TinyTransformer.Create();
        var inputs = TinyTransformer.Inputs(model.Config);
        var loss = model.Forward(inputs).Square().Mean();
        loss.Backward();
        var unused = new[] { "projectors.", "add_q_proj", "add_k_proj", "add_v_proj", "to_add_out" };
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var grad = parameter.Grad;
            if (unused.Any(u => name.Contains(u, StringComparison.Ordinal)))
            {
                Assert.True(grad is null, $"{name} should get no gradient");
                continue;
            }
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.True(grad!.Abs().Sum().Item() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void PaddedTextAndLyricPositionsDoNotChangeTheOutput()
    {
        using var scope = new DisposeScope();
        using var model = TinyTransformer.Create();
        model.Eval();
        var inputs = TinyTransformer.Inputs(model.Config);
        var reference = model.Forward(inputs);

        // sample 1: text tokens 3..4 and lyric tokens 4..6 are padding; give them other contents
        var textNoise = Tensor.Randn(inputs.TextHiddenStates.Shape) * 5.0;
        var textPadding = (1.0 - inputs.TextMask).Unsqueeze(-1);
        var text = inputs.TextHiddenStates + textNoise * textPadding;
        var lyricPadding = Tensor.From(new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17, 17, 17 }, 2, TinyTransformer.LyricTokens);
        var lyrics = inputs.LyricTokens + lyricPadding;
        var changed = model.Forward(inputs with { TextHiddenStates = text, LyricTokens = lyrics });
        Assert.True(TinyTransformer.MaxAbsDifference(reference, changed) < 1e-5, "padding leaked into the output");

        // an unmasked lyric token does change it (the test can fail)
        var firstToken = Tensor.From(new long[] { 0, 0, 0, 0, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0 }, 2, TinyTransformer.LyricTokens);
        var other = model.Forward(inputs with { LyricTokens = inputs.LyricTokens + firstToken });
        Assert.True(TinyTransformer.MaxAbsDifference(reference.Select(0, 1), other.Select(0, 1)) > 1e-5);
        Assert.True(TinyTransformer.MaxAbsDifference(reference.Select(0, 0), other.Select(0, 0)) == 0);
    }

    [Fact]
    public void GradientCheckpointingGivesTheSameOutputAndGradients()
    {
        using var scope = new DisposeScope();
        using var model = TinyTransformer.Create();
        var inputs = TinyTransformer.Inputs(model.Config);
        var weights = Tensor.Randn(inputs.Latents.Shape);

        (Tensor Output, Dictionary<string, Tensor> Grads) Run(bool checkpointing)
        {
            model.ZeroGrad();
            model.GradientCheckpointing = checkpointing;
            Torch.ManualSeed(7); // the lyric encoder's dropout draws the same masks in both runs
            var output = model.Forward(inputs);
            (output * weights).Sum().Backward();
            return (output.Detach(), model.NamedParameters().Where(p => p.Parameter.Grad is not null).ToDictionary(p => p.Name, p => p.Parameter.Grad!));
        }

        var plain = Run(false);
        var checkpointed = Run(true);
        Assert.Equal(0, Checkpoint.Pending);
        Assert.True(TinyTransformer.MaxAbsDifference(plain.Output, checkpointed.Output) < 1e-6);
        Assert.Equal(plain.Grads.Keys.Order(), checkpointed.Grads.Keys.Order());
        foreach (var (name, grad) in plain.Grads)
        {
            var scale = Math.Max(1.0, grad.Abs().Max().Item());
            Assert.True(TinyTransformer.MaxAbsDifference(grad, checkpointed.Grads[name]) < 1e-5 * scale, name);
        }
    }

    [Fact]
    public void AnalyticGradientsMatchFiniteDifferencesInFloat64()
    {
        using var scope = new DisposeScope();
        using var model = TinyTransformer.Create();
        model.Eval();
        model.To(dtype: DType.Float64);
        var inputs = TinyTransformer.Inputs(model.Config, dtype: DType.Float64);
        var weights = Tensor.Randn(inputs.Latents.Shape, DType.Float64);
        double Loss()
        {
            using var inner = new DisposeScope();
            return (model.Forward(inputs) * weights).Sum().Item();
        }

        (model.Forward(inputs) * weights).Sum().Backward();
        var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        string[] probes =
        [
            "transformer_blocks.0.attn.to_q.weight", "transformer_blocks.0.attn.to_k.weight", "transformer_blocks.1.cross_attn.to_k.weight",
            "transformer_blocks.0.cross_attn.to_q.weight", "transformer_blocks.1.ff.depth_conv.conv.weight", "transformer_blocks.0.scale_shift_table",
            "lyric_encoder.encoders.0.self_attn.linear_q.weight", "lyric_encoder.encoders.0.self_attn.pos_bias_v", "speaker_embedder.weight",
            "proj_in.early_conv_layers.0.weight", "timestep_embedder.linear_1.weight", "final_layer.scale_shift_table",
        ];
        const double step = 1e-6;
        foreach (var name in probes)
        {
            var parameter = parameters[name];
            using var flatGrad = parameter.Grad!.Flatten();
            var analytic = flatGrad.Select(0, 1).Item();
            using var flat = parameter.Detach().View(-1);
            using var cell = flat.Narrow(0, 1, 1);
            double original;
            using (Torch.NoGrad()) original = cell.Item();
            using (Torch.NoGrad()) cell.Fill_(original + step);
            var up = Loss();
            using (Torch.NoGrad()) cell.Fill_(original - step);
            var down = Loss();
            using (Torch.NoGrad()) cell.Fill_(original);
            var numeric = (up - down) / (2 * step);
            Assert.True(Math.Abs(numeric - analytic) <= 1e-6 + 1e-5 * Math.Abs(numeric), $"{name}: analytic {analytic}, numeric {numeric}");
        }
    }
}
