using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Transformer;

namespace AceTrainer.AceStep.Tests.Transformer;

public sealed class TransformerConfigTests
{
    private static string OfficialConfig => Path.Combine(AppContext.BaseDirectory, "TestData", "transformer_config_v1.json");

    [Fact]
    public void ReadsEveryFieldOfTheOfficialConfig()
    {
        var config = AceStepTransformerConfig.FromJson(OfficialConfig);
        Assert.Equal("Transformer2DModel", config.ClassName);
        Assert.Equal("0.27.2", config.DiffusersVersion);
        Assert.Equal(8, config.InChannels);
        Assert.Equal(24, config.NumLayers);
        Assert.Equal(2560, config.InnerDimInFile);
        Assert.Equal(2560, config.InnerDim);
        Assert.Equal(128, config.AttentionHeadDim);
        Assert.Equal(20, config.NumAttentionHeads);
        Assert.Equal(2.5, config.MlpRatio);
        Assert.Equal(8, config.OutChannels);
        Assert.Equal(32768, config.MaxPosition);
        Assert.Equal(1e6, config.RopeTheta);
        Assert.Equal(512, config.SpeakerEmbeddingDim);
        Assert.Equal(768, config.TextEmbeddingDim);
        Assert.Equal([8, 8], config.SslEncoderDepths);
        Assert.Equal(["mert", "m-hubert"], config.SslNames);
        Assert.Equal([1024, 768], config.SslLatentDims);
        Assert.Equal([16, 1], config.PatchSize);
        Assert.Equal(16, config.MaxHeight);
        Assert.Equal(32768, config.MaxWidth);
        Assert.Equal(6693, config.LyricEncoderVocabSize);
        Assert.Equal(1024, config.LyricHiddenSize);
        // upstream's hard-coded Conformer settings
        Assert.Equal(1024, config.LyricEncoderOutputSize);
        Assert.Equal(16, config.LyricEncoderAttentionHeads);
        Assert.Equal(4096, config.LyricEncoderLinearUnits);
        Assert.Equal(6, config.LyricEncoderNumBlocks);
        Assert.Equal(AceStepTransformerConfig.AceStepV1().ToJson(), config.ToJson());
    }

    [Fact]
    public void JsonRoundTripKeepsTheTinyConfig()
    {
        using var folder = new TempFolder();
        var tiny = AceStepTransformerConfig.Tiny();
        tiny.Save(folder.File("config.json"));
        var read = AceStepTransformerConfig.FromJson(folder.File("config.json"));
        Assert.Equal(tiny.ToJson(), read.ToJson());
        Assert.Equal(160, read.InnerDim);
        Assert.Contains("\"lyric_hidden_size\": 32", File.ReadAllText(folder.File("config.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void BadConfigsAreRejectedWithTheFileName()
    {
        using var folder = new TempFolder();
        var missing = Assert.Throws<FileNotFoundException>(() => AceStepTransformerConfig.FromJson(folder.File("absent.json")));
        Assert.Contains("absent.json", missing.Message, StringComparison.Ordinal);
        File.WriteAllText(folder.File("broken.json"), "{ \"num_layers\": ");
        Assert.Contains("broken.json", Assert.Throws<InvalidDataException>(() => AceStepTransformerConfig.FromJson(folder.File("broken.json"))).Message, StringComparison.Ordinal);
        File.WriteAllText(folder.File("odd.json"), "{ \"attention_head_dim\": 15 }");
        Assert.Throws<InvalidDataException>(() => AceStepTransformerConfig.FromJson(folder.File("odd.json")));
    }
}
