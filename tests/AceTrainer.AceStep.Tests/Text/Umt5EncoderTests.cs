using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Text;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Text;

public sealed class Umt5EncoderTests
{
    private sealed record Reference(long[] shape, float[] values);

    // A tiny random encoder (norm weights randomised too) saved as a HF folder.
    private static void SaveRandomTiny(string folder, Func<string, string>? rename = null)
    {
        Torch.ManualSeed(3);
        using var model = Umt5Encoder.Tiny();
        using (Torch.NoGrad())
            foreach (var (name, parameter) in model.NamedParameters())
                if (name.EndsWith("layer_norm.weight", StringComparison.Ordinal)) parameter.Uniform_(0.5, 1.5);
        model.Config.Save(Path.Combine(folder, "config.json"));
        var state = model.StateDict().ToDictionary(e => rename?.Invoke(e.Key) ?? e.Key, e => e.Value);
        Engine.SafeTensors.SafeTensorsWriter.Save(Path.Combine(folder, "model.safetensors"), state);
    }

    private static (long[,] Ids, long[,] Mask) Inputs(int batch, int length, int padFrom)
    {
        var random = new Random(5);
        var ids = new long[batch, length];
        var mask = new long[batch, length];
        for (var b = 0; b < batch; b++)
            for (var s = 0; s < length; s++)
            {
                var real = b == 0 || s < padFrom;
                ids[b, s] = real ? random.Next(2, 300) : 0;
                mask[b, s] = real ? 1 : 0;
            }
        return (ids, mask);
    }

    private static long[][] Rows(long[,] a) =>
        [.. Enumerable.Range(0, a.GetLength(0)).Select(b => Enumerable.Range(0, a.GetLength(1)).Select(s => a[b, s]).ToArray())];

    private static Tensor ToTensor(long[,] a) => Tensor.From(Rows(a).SelectMany(r => r).ToArray(), a.GetLength(0), a.GetLength(1));

    [Fact]
    public void MatchesIndependentTorchReferenceWithPaddingAndLongDistances()
    {
        using var folder = new TempFolder();
        SaveRandomTiny(folder.Path);
        var (ids, mask) = Inputs(batch: 2, length: 150, padFrom: 37);
        var reference = TextTestData.RunPythonJson<Reference>("text_umt5_reference.py",
            new { folder = folder.Path, input_ids = Rows(ids), attention_mask = Rows(mask) });

        using var model = Umt5Encoder.FromPretrained(folder.Path);
        using var scope = new DisposeScope();
        var output = model.Forward(ToTensor(ids), ToTensor(mask));
        Assert.Equal(reference.shape, output.Shape);
        var values = output.ToArray<float>();
        var worst = values.Zip(reference.values, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 1e-4, $"max abs difference {worst}");
        Assert.Equal(768, Umt5Config.Base().DModel);
    }

    [Fact]
    public void Bfloat16WeightsGiveCloseFiniteStates()
    {
        using var folder = new TempFolder();
        SaveRandomTiny(folder.Path);
        var (ids, mask) = Inputs(batch: 2, length: 24, padFrom: 9);
        using var full = Umt5Encoder.FromPretrained(folder.Path);
        using var half = Umt5Encoder.FromPretrained(folder.Path, dtype: DType.BFloat16);
        Assert.Equal(DType.BFloat16, half.encoder.block[1].layer[0].NamedParameters().First().Parameter.DType);
        using var scope = new DisposeScope();
        var expected = full.Forward(ToTensor(ids), ToTensor(mask)).ToArray<float>();
        var output = half.Forward(ToTensor(ids), ToTensor(mask));
        Assert.Equal(DType.BFloat16, output.DType);
        var actual = output.To(DType.Float32).ToArray<float>();
        Assert.All(actual, v => Assert.True(float.IsFinite(v)));
        var worst = actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst < 0.1, $"bf16 differs from fp32 by {worst}");
    }

    [Fact]
    public void ForwardLeavesNoTensorsBehind()
    {
        using var model = Umt5Encoder.Tiny();
        var (ids, mask) = Inputs(batch: 2, length: 20, padFrom: 7);
        var before = Tensor.LiveNativeTensors;
        using (var scope = new DisposeScope())
        {
            var output = model.Forward(ToTensor(ids), ToTensor(mask));
            Assert.Equal([2L, 20, 32], output.Shape);
        }
        Assert.Equal(before, Tensor.LiveNativeTensors);
    }

    [Fact]
    public void ParameterNamesAreTheCheckpointKeys()
    {
        using var model = Umt5Encoder.Tiny();
        var names = model.StateDict().Keys.ToHashSet();
        string[] expected =
        [
            "shared.weight",
            "encoder.block.0.layer.0.SelfAttention.q.weight", "encoder.block.0.layer.0.SelfAttention.k.weight",
            "encoder.block.0.layer.0.SelfAttention.v.weight", "encoder.block.0.layer.0.SelfAttention.o.weight",
            "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "encoder.block.0.layer.0.layer_norm.weight",
            "encoder.block.0.layer.1.DenseReluDense.wi_0.weight", "encoder.block.0.layer.1.DenseReluDense.wi_1.weight",
            "encoder.block.0.layer.1.DenseReluDense.wo.weight", "encoder.block.0.layer.1.layer_norm.weight",
            "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight",
            "encoder.final_layer_norm.weight",
        ];
        foreach (var name in expected) Assert.Contains(name, names);
        Assert.Equal(2 + 2 * 10, names.Count);
    }

    [Fact]
    public void TiedEmbedTokensAndDecoderTensorsOfAFullCheckpointAreHandled()
    {
        using var folder = new TempFolder();
        SaveRandomTiny(folder.Path, name => name == "shared.weight" ? "encoder.embed_tokens.weight" : name);
        using var model = Umt5Encoder.FromPretrained(folder.Path);
        Assert.False(model.shared.weight.RequiresGrad);
        using var expected = Engine.SafeTensors.SafeTensorsFile.Open(folder.File("model.safetensors"));
        using var scope = new DisposeScope();
        Assert.Equal(expected.Load("encoder.embed_tokens.weight").ToArray<float>(), model.shared.weight.ToArray<float>());
    }

    [Fact]
    public void MissingFilesGiveClearErrors()
    {
        using var folder = new TempFolder();
        Assert.Contains("config.json", Assert.Throws<FileNotFoundException>(() => Umt5Encoder.FromPretrained(folder.Path)).Message);
        Umt5Config.Tiny().Save(folder.File("config.json"));
        Assert.Contains("model.safetensors", Assert.Throws<FileNotFoundException>(() => Umt5Encoder.FromPretrained(folder.Path)).Message);
        File.WriteAllText(folder.File("pytorch_model.bin"), "");
        Assert.Contains("convert", Assert.Throws<NotSupportedException>(() => Umt5Encoder.FromPretrained(folder.Path)).Message);
    }

    [Fact]
    public void ConfigReadsHuggingFaceNames()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("config.json"), """
            {"architectures": ["UMT5EncoderModel"], "d_ff": 2048, "d_kv": 64, "d_model": 768, "num_heads": 12, "num_layers": 12,
             "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128, "layer_norm_epsilon": 1e-06,
             "feed_forward_proj": "gated-gelu", "vocab_size": 256384, "model_type": "umt5"}
            """);
        Assert.Equal(Umt5Config.Base(), Umt5Config.Load(folder.File("config.json")));
        File.WriteAllText(folder.File("config.json"), """{"feed_forward_proj": "relu"}""");
        Assert.Throws<NotSupportedException>(() => Umt5Config.Load(folder.File("config.json")));
    }
}
