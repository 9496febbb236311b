using System.Text.Json;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Lora;

/// <summary>
/// LoRA over a module tree with PEFT's semantics: attach to the <see cref="Linear"/> layers the settings target,
/// freeze everything else, and save/load only the adapter as <c>pytorch_lora_weights.safetensors</c> with PEFT
/// keys (no prefix) and the settings in the <c>lora_adapter_metadata</c> entry, as diffusers writes it.
/// </summary>
public static class LoraNetwork
{
    /// <summary>Key under which diffusers stores the LoRA config in the safetensors metadata.</summary>
    public const string MetadataKey = "lora_adapter_metadata";

    public const string WeightsFileName = "pytorch_lora_weights.safetensors";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>
    /// Attaches adapters to every targeted Linear, freezes all other parameters, and returns the adapted
    /// module names. A target that matches no module, or matches a module that is not a Linear, is an error.
    /// </summary>
    public static IReadOnlyList<string> Attach(Module root, LoraSettings settings)
    {
        var errors = settings.Errors().ToList();
        if (errors.Count > 0) throw new ArgumentException("invalid LoRA settings: " + string.Join("; ", errors));
        var matched = root.NamedModules().Where(m => m.Name.Length > 0 && settings.Targets(m.Name)).ToList();
        var unmatched = settings.TargetModules.Where(t => !matched.Any(m => m.Name == t || m.Name.EndsWith("." + t, StringComparison.Ordinal))).ToList();
        if (unmatched.Count > 0)
            throw new ArgumentException($"LoRA target modules not found in the model: {string.Join(", ", unmatched)}");
        var notLinear = matched.Where(m => m.Module is not Linear).Select(m => $"{m.Name} ({m.Module.GetType().Name})").ToList();
        if (notLinear.Count > 0)
            throw new ArgumentException($"LoRA targets must be Linear layers; these are not: {string.Join(", ", notLinear.Take(5))}");
        root.Freeze();
        foreach (var (_, module) in matched)
        {
            var adapter = ((Linear)module).AttachLora(settings.Rank, settings.Scale, settings.Dropout);
            adapter.A.weight.RequiresGrad = true;
            adapter.B.weight.RequiresGrad = true;
        }
        return matched.Select(m => m.Name).ToList();
    }

    /// <summary>The adapter weights by PEFT key (e.g. <c>transformer_blocks.0.attn.to_q.lora_A.weight</c>).</summary>
    public static List<(string Name, Tensor Parameter)> Parameters(Module root) =>
        root.NamedParameters().Where(p => IsAdapterKey(p.Name)).ToList();

    public static bool IsAdapterKey(string key) => key.Contains(".lora_A.", StringComparison.Ordinal) || key.Contains(".lora_B.", StringComparison.Ordinal);

    /// <summary>Writes the adapter (weights in <paramref name="dtype"/>, float32 by default) and its settings.</summary>
    public static void Save(Module root, LoraSettings settings, string path, DType dtype = DType.Float32, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        var tensors = Parameters(root).Select(p => KeyValuePair.Create(p.Name, p.Parameter.DType == dtype && p.Parameter.Device.Type == DeviceType.Cpu
            ? p.Parameter : p.Parameter.To(Device.Cpu, dtype))).ToList();
        if (tensors.Count == 0) throw new InvalidOperationException("the model has no LoRA adapter to save");
        var header = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [MetadataKey] = SettingsJson(settings),
        };
        var temporary = path + ".partial";
        SafeTensorsWriter.Save(temporary, tensors, header);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The settings stored in an adapter file's metadata.</summary>
    public static LoraSettings ReadSettings(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return ReadSettings(file, path);
    }

    /// <summary>
    /// Loads adapter weights into <paramref name="root"/>: attaches adapters from the file's settings when the model
    /// has none yet, else requires the same adapted layers and shapes. When the attached adapters have another scale
    /// than the file's, B is rescaled so each layer's update (scale·B·A) is the file's. Returns the file's settings.
    /// </summary>
    public static LoraSettings Load(Module root, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"LoRA adapter not found: {path}", path);
        using var file = SafeTensorsFile.Open(path);
        var settings = ReadSettings(file, path);
        if (Parameters(root).Count == 0) Attach(root, settings);
        var own = Parameters(root).ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var missing = own.Keys.Where(k => !file.Tensors.ContainsKey(k)).ToList();
        var unexpected = file.Tensors.Keys.Where(k => !own.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{path} does not fit this model's adapters; missing: [{string.Join(", ", missing.Take(5))}], unexpected: [{string.Join(", ", unexpected.Take(5))}]");
        using var noGrad = Torch.NoGrad();
        foreach (var (key, target) in own)
        {
            using var scope = new DisposeScope();
            var source = file.Load(key);
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new InvalidDataException($"{path}: {key} has shape [{string.Join(",", source.Shape)}], the model expects [{string.Join(",", target.Shape)}]");
            var attached = AdapterScale(root, key);
            if (key.EndsWith(".lora_B.weight", StringComparison.Ordinal) && attached != settings.Scale) target.Copy_(source * (settings.Scale / attached));
            else target.Copy_(source);
        }
        return settings;
    }

    private static double AdapterScale(Module root, string key)
    {
        var layer = key[..key.IndexOf(".lora_", StringComparison.Ordinal)];
        return root.NamedModules().First(m => m.Name == layer).Module is Linear { Lora: { } adapter } ? adapter.Scale : 1;
    }

    /// <summary>
    /// PEFT <c>LoraConfig</c> JSON as diffusers (≥ 0.34) reads it from the metadata: it indexes <c>rank_pattern</c>
    /// (utils/peft_utils.py, <c>_maybe_raise_error_for_ambiguous_keys</c>), so that entry must be present.
    /// </summary>
    public static string SettingsJson(LoraSettings settings) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["r"] = settings.Rank,
        ["lora_alpha"] = settings.Alpha,
        ["lora_dropout"] = settings.Dropout,
        ["use_rslora"] = settings.UseRsLora,
        ["target_modules"] = settings.TargetModules,
        ["bias"] = "none",
        ["peft_type"] = "LORA",
        ["rank_pattern"] = new Dictionary<string, int>(),
        ["alpha_pattern"] = new Dictionary<string, double>(),
    }, Json);

    private static LoraSettings ReadSettings(SafeTensorsFile file, string path)
    {
        if (!file.Metadata.TryGetValue(MetadataKey, out var json))
            throw new InvalidDataException($"{path} has no '{MetadataKey}' metadata (rank, alpha and targets are needed to use it)");
        return JsonSerializer.Deserialize<LoraSettings>(json) ?? throw new InvalidDataException($"{path}: empty '{MetadataKey}'");
    }
}
