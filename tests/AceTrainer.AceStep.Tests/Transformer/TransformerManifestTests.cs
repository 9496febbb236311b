using System.Globalization;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Modules;
using Xunit.Abstractions;

namespace AceTrainer.AceStep.Tests.Transformer;

/// <summary>
/// The full 3.5B model built on the meta device (no weight memory) against the official state-dict manifest
/// (TestData/transformer_manifest_v1_3.5b.tsv, written by python/transformer_manifest.py from the upstream module tree).
/// </summary>
public sealed class TransformerManifestTests(ITestOutputHelper output)
{
    private static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    [Fact]
    public void FullSizeModelMatchesTheOfficialStateDict()
    {
        var manifest = File.ReadAllLines(TestData("transformer_manifest_v1_3.5b.tsv"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split('\t'))
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        var config = AceStepTransformerConfig.FromJson(TestData("transformer_config_v1.json"));
        var liveBefore = Tensor.LiveNativeTensors;

        using (ModuleInit.On(Device.Meta))
        using (var model = new AceStepTransformer(config))
        {
            var state = model.StateDict();
            Assert.All(state.Values, tensor => Assert.Equal(DeviceType.Meta, tensor.Device.Type));
            var own = state.ToDictionary(e => e.Key, e => string.Join(",", e.Value.Shape), StringComparer.Ordinal);
            var missing = manifest.Keys.Except(own.Keys).Order(StringComparer.Ordinal).ToList();
            var extra = own.Keys.Except(manifest.Keys).Order(StringComparer.Ordinal).ToList();
            Assert.True(missing.Count == 0, "missing: " + string.Join(", ", missing.Take(20)));
            Assert.True(extra.Count == 0, "extra: " + string.Join(", ", extra.Take(20)));
            foreach (var (name, shape) in manifest) Assert.True(shape == own[name], $"{name}: [{own[name]}] expected [{shape}]");

            var count = model.ParameterCount();
            var expected = manifest.Values.Sum(shape => shape.Split(',').Aggregate(1L, (a, d) => a * long.Parse(d, CultureInfo.InvariantCulture)));
            output.WriteLine($"ACE-Step v1 transformer: {manifest.Count} tensors, {count:N0} parameters ({count / 1e9:F3} B)");
            Assert.Equal(expected, count);
            Assert.InRange(count, 3_200_000_000L, 3_600_000_000L);
            Assert.Equal(24, model.transformer_blocks.Count);
            Assert.Equal(6, model.lyric_encoder.encoders.Count);
        }
        Assert.Equal(liveBefore, Tensor.LiveNativeTensors);
    }

    [Fact]
    public void LoraTargetsAreEngineLinearLayers()
    {
        using var scope = ModuleInit.On(Device.Meta);
        using var model = new AceStepTransformer(AceStepTransformerConfig.Tiny());
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module, StringComparer.Ordinal);
        string[] targets =
        [
            "speaker_embedder",
            "transformer_blocks.0.attn.to_q", "transformer_blocks.0.attn.to_k", "transformer_blocks.0.attn.to_v", "transformer_blocks.0.attn.to_out.0",
            "transformer_blocks.1.cross_attn.to_q", "transformer_blocks.1.cross_attn.to_k", "transformer_blocks.1.cross_attn.to_v", "transformer_blocks.1.cross_attn.to_out.0",
            "lyric_encoder.encoders.0.self_attn.linear_q", "lyric_encoder.encoders.0.self_attn.linear_k", "lyric_encoder.encoders.0.self_attn.linear_v",
        ];
        foreach (var target in targets) Assert.IsType<Linear>(modules[target]);
    }
}
