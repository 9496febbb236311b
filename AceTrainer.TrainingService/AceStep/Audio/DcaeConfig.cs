using System.Text.Json;

namespace AceTrainer.AceStep.Audio;

/// <summary>
/// The encoder half of diffusers' <c>AutoencoderDC</c> config (field names as in <c>music_dcae_f8c8/config.json</c>).
/// Defaults are ACE-Step's f8c8 model: 2 input channels (stereo mel), 8 latent channels, three stride-2 stages.
/// </summary>
public sealed record DcaeConfig
{
    public int InChannels { get; init; } = 2;
    public int LatentChannels { get; init; } = 8;
    public int AttentionHeadDim { get; init; } = 32;
    public IReadOnlyList<string> EncoderBlockTypes { get; init; } = ["ResBlock", "ResBlock", "ResBlock", "EfficientViTBlock"];
    public IReadOnlyList<int> EncoderBlockOutChannels { get; init; } = [128, 256, 512, 1024];
    public IReadOnlyList<int> EncoderLayersPerBlock { get; init; } = [2, 2, 3, 3];
    public IReadOnlyList<IReadOnlyList<int>> EncoderQkvMultiscales { get; init; } = [[], [], [5], [5]];
    public string DownsampleBlockType { get; init; } = "Conv";
    public bool EncoderOutShortcut { get; init; } = true;
    public double ScalingFactor { get; init; } = 0.41407;

    public int Stages => EncoderBlockOutChannels.Count;

    /// <summary>Height and width shrink by 2 per stage boundary (8 for f8c8).</summary>
    public int DownsamplingFactor => 1 << (Stages - 1);

    /// <summary>A small encoder of the same shape (4 stages, 3 downsamplings, 8 latent channels) for tests and demos.</summary>
    public static DcaeConfig Tiny() => new()
    {
        AttentionHeadDim = 16,
        EncoderBlockOutChannels = [8, 16, 16, 32],
        EncoderLayersPerBlock = [1, 1, 1, 2],
    };

    /// <summary>Reads a diffusers AutoencoderDC config.json; fields it lacks keep the f8c8 defaults.</summary>
    public static DcaeConfig FromFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"DCAE config not found: {path}", path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return FromJson(document.RootElement);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {error.Message}", error);
        }
        catch (InvalidDataException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    public static DcaeConfig FromJson(JsonElement root)
    {
        var config = new DcaeConfig();
        var stages = root.TryGetProperty("encoder_block_out_channels", out var widths) ? widths.GetArrayLength() : config.Stages;
        config = config with
        {
            InChannels = Int(root, "in_channels", config.InChannels),
            LatentChannels = Int(root, "latent_channels", config.LatentChannels),
            AttentionHeadDim = Int(root, "attention_head_dim", config.AttentionHeadDim),
            EncoderBlockOutChannels = root.TryGetProperty("encoder_block_out_channels", out var w) ? Ints(w) : config.EncoderBlockOutChannels,
            EncoderLayersPerBlock = root.TryGetProperty("encoder_layers_per_block", out var l) ? Ints(l) : config.EncoderLayersPerBlock,
            EncoderBlockTypes = root.TryGetProperty("encoder_block_types", out var t)
                ? t.ValueKind == JsonValueKind.String ? Enumerable.Repeat(t.GetString()!, stages).ToArray() : t.EnumerateArray().Select(e => e.GetString()!).ToArray()
                : config.EncoderBlockTypes,
            EncoderQkvMultiscales = root.TryGetProperty("encoder_qkv_multiscales", out var q)
                ? q.EnumerateArray().Select(e => (IReadOnlyList<int>)Ints(e)).ToArray()
                : config.EncoderQkvMultiscales,
            DownsampleBlockType = root.TryGetProperty("downsample_block_type", out var d) ? d.GetString()! : config.DownsampleBlockType,
            EncoderOutShortcut = root.TryGetProperty("encoder_out_shortcut", out var s) ? s.ValueKind == JsonValueKind.True || (s.ValueKind == JsonValueKind.Number && s.GetInt32() != 0) : config.EncoderOutShortcut,
            ScalingFactor = root.TryGetProperty("scaling_factor", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetDouble() : config.ScalingFactor,
        };
        config.Validate();
        return config;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when lists disagree in length or a block type is unknown.</summary>
    public void Validate()
    {
        var stages = Stages;
        if (EncoderLayersPerBlock.Count != stages || EncoderBlockTypes.Count != stages || EncoderQkvMultiscales.Count != stages)
            throw new InvalidDataException($"encoder lists disagree: {stages} widths, {EncoderLayersPerBlock.Count} layer counts, {EncoderBlockTypes.Count} block types, {EncoderQkvMultiscales.Count} qkv scale lists");
        foreach (var type in EncoderBlockTypes)
        {
            if (type is not ("ResBlock" or "EfficientViTBlock")) throw new InvalidDataException($"unsupported encoder block type '{type}'");
        }
        if (EncoderBlockOutChannels[^1] % LatentChannels != 0)
            throw new InvalidDataException($"last width {EncoderBlockOutChannels[^1]} is not a multiple of latent_channels {LatentChannels}");
    }

    private static int Int(JsonElement root, string name, int fallback) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
