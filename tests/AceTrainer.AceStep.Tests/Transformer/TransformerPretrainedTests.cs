using System.Text.Json;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Tests.Transformer;

public sealed class TransformerPretrainedTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.BFloat16)]
    public void SavedCheckpointLoadsBackWithEqualOutputs(DType fileType)
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        using var model = TinyTransformer.Create();
        model.Eval();
        if (fileType == DType.BFloat16) model.To(dtype: DType.BFloat16).To(dtype: DType.Float32); // values representable in bf16
        model.SavePretrained(Path.Combine(folder.Path, AceStepTransformer.SubFolder), fileType);

        using var file = SafeTensorsFile.Open(Path.Combine(folder.Path, AceStepTransformer.SubFolder, AceStepTransformer.WeightsFileName));
        Assert.All(file.Tensors.Values, info => Assert.Equal(fileType, info.DType));
        Assert.Equal(model.StateDict().Keys.Order(StringComparer.Ordinal), file.Tensors.Keys.Order(StringComparer.Ordinal));

        var inputs = TinyTransformer.Inputs(model.Config);
        var expected = model.Forward(inputs);
        // from the checkpoint root and from the subfolder itself
        foreach (var path in new[] { folder.Path, Path.Combine(folder.Path, AceStepTransformer.SubFolder) })
        {
            using var loaded = AceStepTransformer.FromPretrained(path);
            Assert.False(loaded.Training);
            Assert.Equal(model.Config.ToJson(), loaded.Config.ToJson());
            Assert.All(loaded.Parameters(), p => Assert.Equal(DType.Float32, p.DType));
            Assert.True(TinyTransformer.MaxAbsDifference(expected, loaded.Forward(inputs)) == 0);
        }
    }

    [Fact]
    public void LoadsIntoTheRequestedDType()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        using var model = TinyTransformer.Create();
        model.SavePretrained(folder.Path);
        using var loaded = AceStepTransformer.FromPretrained(folder.Path, Device.Cpu, DType.BFloat16);
        Assert.All(loaded.Parameters(), p => Assert.Equal(DType.BFloat16, p.DType));
        Assert.All(loaded.Parameters(), p => Assert.True(p.RequiresGrad));
        var inputs = TinyTransformer.Inputs(model.Config, dtype: DType.BFloat16);
        var output = loaded.Forward(inputs);
        Assert.Equal(DType.BFloat16, output.DType);
        model.Eval();
        var reference = model.Forward(TinyTransformer.Inputs(model.Config));
        var difference = TinyTransformer.MaxAbsDifference(reference, output);
        var magnitude = reference.Abs().Max().Item();
        Assert.True(difference < 0.05 * magnitude, $"bf16 output far from float32: {difference} of {magnitude}");
    }

    [Fact]
    public void LoadsShardedCheckpoints()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        using var model = TinyTransformer.Create();
        model.Eval();
        model.Config.Save(folder.File(AceStepTransformer.ConfigFileName));
        var state = model.StateDict();
        var first = state.Where(e => e.Key.StartsWith("transformer_blocks.", StringComparison.Ordinal)).ToDictionary();
        var second = state.Where(e => !first.ContainsKey(e.Key)).ToDictionary();
        SafeTensorsWriter.Save(folder.File("diffusion_pytorch_model-00001-of-00002.safetensors"), first);
        SafeTensorsWriter.Save(folder.File("diffusion_pytorch_model-00002-of-00002.safetensors"), second);
        var weightMap = first.Keys.ToDictionary(k => k, _ => "diffusion_pytorch_model-00001-of-00002.safetensors")
            .Concat(second.Keys.ToDictionary(k => k, _ => "diffusion_pytorch_model-00002-of-00002.safetensors"))
            .ToDictionary();
        File.WriteAllText(folder.File(AceStepTransformer.WeightsIndexFileName), JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = weightMap }));

        using var loaded = AceStepTransformer.FromPretrained(folder.Path);
        var inputs = TinyTransformer.Inputs(model.Config);
        Assert.True(TinyTransformer.MaxAbsDifference(model.Forward(inputs), loaded.Forward(inputs)) == 0);
    }

    [Fact]
    public void MissingPiecesGiveClearErrors()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        var absent = Assert.Throws<FileNotFoundException>(() => AceStepTransformer.FromPretrained(folder.File("nowhere")));
        Assert.Contains("nowhere", absent.Message, StringComparison.Ordinal);

        var noConfig = Assert.Throws<FileNotFoundException>(() => AceStepTransformer.FromPretrained(folder.Path));
        Assert.Contains("config.json", noConfig.Message, StringComparison.Ordinal);

        AceStepTransformerConfig.Tiny().Save(folder.File(AceStepTransformer.ConfigFileName));
        var noWeights = Assert.Throws<FileNotFoundException>(() => AceStepTransformer.FromPretrained(folder.Path));
        Assert.Contains(AceStepTransformer.WeightsFileName, noWeights.Message, StringComparison.Ordinal);

        using (var model = TinyTransformer.Create())
        {
            var partial = model.StateDict().Where(e => !e.Key.StartsWith("lyric_encoder.encoders.0.self_attn.", StringComparison.Ordinal)).ToDictionary();
            SafeTensorsWriter.Save(folder.File(AceStepTransformer.WeightsFileName), partial);
        }
        var missing = Assert.Throws<InvalidDataException>(() => AceStepTransformer.FromPretrained(folder.Path));
        Assert.Contains("lyric_encoder.encoders.0.self_attn.linear_k.bias", missing.Message, StringComparison.Ordinal);

        // weights of another size than the config
        using (var wide = new AceStepTransformer(AceStepTransformerConfig.Tiny() with { AttentionHeadDim = 8 }))
            SafeTensorsWriter.Save(folder.File(AceStepTransformer.WeightsFileName), wide.StateDict());
        var shape = Assert.Throws<InvalidDataException>(() => AceStepTransformer.FromPretrained(folder.Path));
        Assert.Contains("shape", shape.Message, StringComparison.Ordinal);
    }
}
