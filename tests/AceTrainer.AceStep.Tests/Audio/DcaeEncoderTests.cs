using AceTrainer.AceStep.Audio;
using AceTrainer.Engine;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Tests.Audio;

public sealed class DcaeEncoderTests
{
    private static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    [Fact]
    public void Full_size_parameters_match_the_diffusers_f8c8_manifest()
    {
        // the manifest lists diffusers' Encoder state dict for the f8c8 config (python/audio_make_dcae_reference.py)
        var expected = File.ReadAllLines(TestData("audio_dcae_f8c8_encoder_manifest.txt"))
            .Select(line => line.Split('\t'))
            .ToDictionary(parts => parts[0], parts => parts[1]);

        using var encoder = new DcaeEncoder();
        var actual = encoder.NamedParameters().ToDictionary(p => "encoder." + p.Name, p => string.Join(",", p.Parameter.Shape));

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, shape) in expected) Assert.True(shape == actual[name], $"{name}: expected [{shape}], got [{actual[name]}]");

        // and the full-size encoder runs: 128 mels x 24 frames -> 8 x 16 x 3 latents
        using var noGrad = Torch.NoGrad();
        using var scope = new DisposeScope();
        Assert.Equal([1L, 8, 16, 3], encoder.Forward(Tensor.Randn([1, 2, 128, 24])).Shape);
    }

    [Theory]
    [InlineData("linear")]    // 16x3 positions at the last stage: linear attention
    [InlineData("quadratic")] // 16x1 positions, not more than the head dim: quadratic attention
    public void Tiny_encoder_matches_diffusers_with_the_same_weights(string path)
    {
        var config = DcaeConfig.FromFile(TestData("audio_dcae_tiny_config.json"));
        using var encoder = new DcaeEncoder(config);
        using var file = SafeTensorsFile.Open(TestData("audio_dcae_tiny_reference.safetensors"));
        using var scope = new DisposeScope();
        var weights = file.LoadAll(select: name => name.StartsWith("encoder.", StringComparison.Ordinal))
            .ToDictionary(e => e.Key["encoder.".Length..], e => e.Value);
        encoder.LoadStateDict(weights);
        encoder.Eval();

        using var noGrad = Torch.NoGrad();
        var output = encoder.Forward(file.Load($"input.{path}"));

        var expected = file.Load($"output.{path}");
        Assert.Equal(expected.Shape, output.Shape);
        AudioSignals.AssertClose(expected.ToArray<float>(), output.ToArray<float>(), 1e-4);
    }

    [Fact]
    public void Tiny_encoder_maps_mels_to_eight_by_sixteen_latents()
    {
        using var encoder = DcaeEncoder.Tiny();
        using var noGrad = Torch.NoGrad();
        using var scope = new DisposeScope();

        var latents = encoder.Forward(Tensor.Randn([2, 2, 128, 40]));

        Assert.Equal([2L, 8, 16, 5], latents.Shape);
        Assert.Equal(8, encoder.Config.DownsamplingFactor);
    }

    [Fact]
    public void Wrong_input_shape_is_explained()
    {
        using var encoder = DcaeEncoder.Tiny();
        using var scope = new DisposeScope();
        var error = Assert.Throws<ArgumentException>(() => encoder.Forward(Tensor.Zeros([1, 2, 128, 12])));
        Assert.Contains("multiples of 8", error.Message);
    }

    [Fact]
    public void Config_reads_diffusers_fields_and_rejects_inconsistent_lists()
    {
        using var folder = new Support.TempFolder();
        var path = folder.File("config.json");
        File.WriteAllText(path, """
            {"_class_name": "AutoencoderDC", "in_channels": 2, "latent_channels": 8, "attention_head_dim": 32,
             "encoder_block_types": "ResBlock", "encoder_block_out_channels": [64, 128], "encoder_layers_per_block": [1, 2],
             "encoder_qkv_multiscales": [[], []], "downsample_block_type": "pixel_unshuffle", "scaling_factor": 0.5,
             "decoder_block_out_channels": [64, 128]}
            """);
        var config = DcaeConfig.FromFile(path);
        Assert.Equal(["ResBlock", "ResBlock"], config.EncoderBlockTypes);
        Assert.Equal([64, 128], config.EncoderBlockOutChannels);
        Assert.Equal("pixel_unshuffle", config.DownsampleBlockType);
        Assert.Equal(2, config.DownsamplingFactor);

        File.WriteAllText(path, """{"encoder_block_out_channels": [64, 128], "encoder_layers_per_block": [1, 2, 3]}""");
        var error = Assert.Throws<InvalidDataException>(() => DcaeConfig.FromFile(path));
        Assert.Contains(path, error.Message);
    }
}
