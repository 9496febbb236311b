using AceTrainer.TestSupport;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Tests.Transformer;

/// <summary>The C# port against python/transformer_reference.py (PyTorch, upstream op order) on the same tiny checkpoint and inputs.</summary>
public sealed class TransformerReferenceTests
{
    [Fact]
    public void MatchesThePyTorchReference()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        using var model = TinyTransformer.Create(seed: 11);
        model.Eval();
        var checkpoint = Path.Combine(folder.Path, "transformer");
        model.SavePretrained(checkpoint);
        var inputs = TinyTransformer.Inputs(model.Config, seed: 12);
        SafeTensorsWriter.Save(folder.File("inputs.safetensors"), new Dictionary<string, Tensor>
        {
            ["latents"] = inputs.Latents,
            ["attention_mask"] = inputs.AttentionMask,
            ["text"] = inputs.TextHiddenStates,
            ["text_mask"] = inputs.TextMask,
            ["speaker"] = inputs.SpeakerEmbeds,
            ["lyric_tokens"] = inputs.LyricTokens,
            ["lyric_mask"] = inputs.LyricMask,
            ["timestep"] = inputs.Timestep,
        });

        PythonRunner.Run("transformer_reference.py", checkpoint, folder.File("inputs.safetensors"), folder.File("reference.safetensors"));

        using var reference = SafeTensorsFile.Open(folder.File("reference.safetensors"));
        var (states, _) = model.Encode(inputs.TextHiddenStates, inputs.TextMask, inputs.SpeakerEmbeds, inputs.LyricTokens, inputs.LyricMask);
        var expectedStates = reference.Load("encoder_states");
        Assert.Equal(expectedStates.Shape, states.Shape);
        Assert.True(TinyTransformer.MaxAbsDifference(expectedStates, states) < 1e-4, $"encoder states differ by {TinyTransformer.MaxAbsDifference(expectedStates, states)}");

        var output = model.Forward(inputs);
        var expected = reference.Load("output");
        Assert.Equal(expected.Shape, output.Shape);
        var difference = TinyTransformer.MaxAbsDifference(expected, output);
        Assert.True(difference < 1e-4, $"output differs by {difference}");
    }
}
