using System.Text.Json;
using System.Text.Json.Serialization;

namespace AceTrainer.AceStep.Text;

/// <summary>The encoder part of a HF UMT5 <c>config.json</c> (JSON names as HF writes them).</summary>
public sealed record Umt5Config
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 256384;
    [JsonPropertyName("d_model")] public int DModel { get; init; } = 768;
    [JsonPropertyName("d_kv")] public int DKv { get; init; } = 64;
    [JsonPropertyName("d_ff")] public int DFf { get; init; } = 2048;
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; } = 12;
    [JsonPropertyName("num_heads")] public int NumHeads { get; init; } = 12;
    [JsonPropertyName("relative_attention_num_buckets")] public int RelativeAttentionNumBuckets { get; init; } = 32;
    [JsonPropertyName("relative_attention_max_distance")] public int RelativeAttentionMaxDistance { get; init; } = 128;
    [JsonPropertyName("layer_norm_epsilon")] public double LayerNormEpsilon { get; init; } = 1e-6;
    [JsonPropertyName("feed_forward_proj")] public string FeedForwardProj { get; init; } = "gated-gelu";

    /// <summary>umt5-base as ACE-Step ships it (hidden 768).</summary>
    public static Umt5Config Base() => new();

    /// <summary>A few-thousand-parameter encoder for tests (d_model 32 = the tiny transformer's text_embedding_dim).</summary>
    public static Umt5Config Tiny() => new()
    {
        VocabSize = 300, DModel = 32, DKv = 8, DFf = 64, NumLayers = 2, NumHeads = 4,
        RelativeAttentionNumBuckets = 32, RelativeAttentionMaxDistance = 128,
    };

    public static Umt5Config Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"UMT5 config not found: {path}", path);
        var config = JsonSerializer.Deserialize<Umt5Config>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} holds no UMT5 config");
        config.Validate(path);
        return config;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Checks what this implementation supports: the gated-GELU feed-forward of UMT5/T5 v1.1.</summary>
    public void Validate(string source = "UMT5 config")
    {
        if (FeedForwardProj != "gated-gelu")
            throw new NotSupportedException($"{source}: feed_forward_proj '{FeedForwardProj}' is not supported (UMT5 uses 'gated-gelu')");
        if (DModel <= 0 || DKv <= 0 || NumHeads <= 0 || NumLayers <= 0 || DFf <= 0 || VocabSize <= 0)
            throw new InvalidDataException($"{source}: sizes must be positive");
    }
}
