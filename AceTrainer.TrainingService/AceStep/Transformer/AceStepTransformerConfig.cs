using System.Text.Json;
using System.Text.Json.Serialization;

namespace AceTrainer.AceStep.Transformer;

/// <summary>
/// Hyper-parameters of ACEStepTransformer2DModel: every field of its config.json under the JSON name,
/// defaults equal to upstream's constructor defaults (what diffusers uses for a missing field), plus the
/// lyric encoder's settings that upstream hard-codes (JSON names prefixed "lyric_encoder_").
/// </summary>
public sealed record AceStepTransformerConfig
{
    [JsonPropertyName("_class_name")] public string ClassName { get; init; } = "Transformer2DModel";
    [JsonPropertyName("_diffusers_version")] public string DiffusersVersion { get; init; } = "0.27.2";
    [JsonPropertyName("in_channels")] public int InChannels { get; init; } = 8;
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 28;

    /// <summary>Stored in config.json but unused upstream: the width is heads × head dim.</summary>
    [JsonPropertyName("inner_dim")] public int InnerDimInFile { get; init; } = 1536;
    [JsonPropertyName("attention_head_dim")] public int AttentionHeadDim { get; init; } = 64;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 24;
    [JsonPropertyName("mlp_ratio")] public double MlpRatio { get; init; } = 4.0;
    [JsonPropertyName("out_channels")] public int OutChannels { get; init; } = 8;
    [JsonPropertyName("max_position")] public int MaxPosition { get; init; } = 32768;
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 1_000_000.0;
    [JsonPropertyName("speaker_embedding_dim")] public int SpeakerEmbeddingDim { get; init; } = 512;
    [JsonPropertyName("text_embedding_dim")] public int TextEmbeddingDim { get; init; } = 768;
    [JsonPropertyName("ssl_encoder_depths")] public IReadOnlyList<int> SslEncoderDepths { get; init; } = [9, 9];
    [JsonPropertyName("ssl_names")] public IReadOnlyList<string> SslNames { get; init; } = ["mert", "m-hubert"];
    [JsonPropertyName("ssl_latent_dims")] public IReadOnlyList<int> SslLatentDims { get; init; } = [1024, 768];
    [JsonPropertyName("lyric_encoder_vocab_size")] public int LyricEncoderVocabSize { get; init; } = 6681;
    [JsonPropertyName("lyric_hidden_size")] public int LyricHiddenSize { get; init; } = 1024;
    [JsonPropertyName("patch_size")] public IReadOnlyList<int> PatchSize { get; init; } = [16, 1];
    [JsonPropertyName("max_height")] public int MaxHeight { get; init; } = 16;
    [JsonPropertyName("max_width")] public int MaxWidth { get; init; } = 4096;

    // Conformer lyric encoder: fixed in upstream code (ConformerEncoder defaults), configurable here for tiny models.
    [JsonPropertyName("lyric_encoder_output_size")] public int LyricEncoderOutputSize { get; init; } = 1024;
    [JsonPropertyName("lyric_encoder_attention_heads")] public int LyricEncoderAttentionHeads { get; init; } = 16;
    [JsonPropertyName("lyric_encoder_linear_units")] public int LyricEncoderLinearUnits { get; init; } = 4096;
    [JsonPropertyName("lyric_encoder_num_blocks")] public int LyricEncoderNumBlocks { get; init; } = 6;
    [JsonPropertyName("lyric_encoder_dropout_rate")] public double LyricEncoderDropoutRate { get; init; } = 0.1;
    [JsonPropertyName("lyric_encoder_positional_dropout_rate")] public double LyricEncoderPositionalDropoutRate { get; init; } = 0.1;
    [JsonPropertyName("lyric_encoder_attention_dropout_rate")] public double LyricEncoderAttentionDropoutRate { get; init; } = 0.0;

    /// <summary>Model width (upstream ignores inner_dim and multiplies heads by head dim).</summary>
    [JsonIgnore] public int InnerDim => NumAttentionHeads * AttentionHeadDim;

    /// <summary>The official ACE-Step v1 3.5B configuration (ace_step_transformer/config.json).</summary>
    public static AceStepTransformerConfig AceStepV1() => new()
    {
        NumLayers = 24,
        InnerDimInFile = 2560,
        AttentionHeadDim = 128,
        NumAttentionHeads = 20,
        MlpRatio = 2.5,
        SslEncoderDepths = [8, 8],
        MaxWidth = 32768,
        LyricEncoderVocabSize = 6693,
    };

    /// <summary>
    /// Same architecture with small widths: for tests and the local demo (trains on a CPU in seconds). The width (160)
    /// stays above the 8 × 16 = 128 latent values of a token: the velocity target carries the noise of every value,
    /// and a narrower residual stream cannot pass it through (at width 32 about three quarters of the noise is lost,
    /// the loss stays near 0.75·sigma², and no adapter can lower it). The real model is 2560 wide.
    /// </summary>
    public static AceStepTransformerConfig Tiny() => AceStepV1() with
    {
        NumLayers = 2,
        InnerDimInFile = 160,
        AttentionHeadDim = 40,
        NumAttentionHeads = 4,
        SpeakerEmbeddingDim = 16,
        TextEmbeddingDim = 32,
        SslEncoderDepths = [1, 1],
        SslLatentDims = [24, 16],
        LyricHiddenSize = 32,
        LyricEncoderOutputSize = 32,
        LyricEncoderAttentionHeads = 2,
        LyricEncoderLinearUnits = 64,
        LyricEncoderNumBlocks = 1,
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Reads a config.json; fields it lacks keep their defaults.</summary>
    public static AceStepTransformerConfig FromJson(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"transformer config not found: {path}", path);
        try
        {
            var config = JsonSerializer.Deserialize<AceStepTransformerConfig>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path}: empty transformer config");
            config.Validate();
            return config;
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: invalid transformer config: {error.Message}", error);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Indented);

    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Rejects combinations the architecture cannot build.</summary>
    public void Validate()
    {
        if (NumLayers < 1 || NumAttentionHeads < 1 || AttentionHeadDim < 2 || AttentionHeadDim % 2 != 0)
            throw new ArgumentException("num_layers and num_attention_heads must be positive, attention_head_dim even");
        if (PatchSize.Count != 2 || PatchSize[0] < 1 || PatchSize[1] < 1)
            throw new ArgumentException("patch_size must hold two positive numbers");
        if (MaxHeight != PatchSize[0])
            throw new ArgumentException($"max_height {MaxHeight} must equal patch_size[0] {PatchSize[0]} (one token per latent frame)");
        if (InChannels * 256 % 32 != 0) throw new ArgumentException("in_channels * 256 must be divisible by 32 (GroupNorm)");
        if (LyricEncoderOutputSize != LyricHiddenSize)
            throw new ArgumentException($"lyric_encoder_output_size {LyricEncoderOutputSize} must equal lyric_hidden_size {LyricHiddenSize} (lyric_proj input)");
        if (LyricEncoderOutputSize % LyricEncoderAttentionHeads != 0 || LyricEncoderOutputSize % 2 != 0)
            throw new ArgumentException("lyric_encoder_output_size must be even and divisible by lyric_encoder_attention_heads");
        if (SslLatentDims.Count != SslEncoderDepths.Count)
            throw new ArgumentException("ssl_latent_dims and ssl_encoder_depths must have the same length");
    }
}
