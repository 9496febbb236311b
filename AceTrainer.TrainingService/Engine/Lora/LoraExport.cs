using System.Text.Json;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Lora;

/// <summary>
/// The adapter file other programs apply with the scale we trained with: ACE-Step's pipeline (diffusers + PEFT, any
/// version), diffusers when it reads the metadata, and ComfyUI. PEFT keys without prefix, float32, the trained scale
/// folded into every <c>lora_B</c>, and a config whose own scale is 1 (<c>lora_alpha</c> = r, no rsLoRA), because
/// ACE-Step's loader and ComfyUI ignore the stored alpha and apply 1.0 (Engine/README.md, "LoRA files").
/// The training file of <see cref="LoraNetwork.Save"/> stays as it is: resuming needs the unfolded weights.
/// </summary>
public static class LoraExport
{
    /// <summary>Metadata entry that keeps the settings the adapter was trained with (the exported config says scale 1).</summary>
    public const string TrainedSettingsKey = "acetrainer_trained_lora";

    /// <summary>Writes the portable adapter of <paramref name="root"/> trained with <paramref name="settings"/>.</summary>
    public static void Save(Module root, LoraSettings settings, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        var adapters = LoraNetwork.Parameters(root);
        if (adapters.Count == 0) throw new InvalidOperationException("the model has no LoRA adapter to export");
        Write(adapters.Select(p => (p.Name, p.Parameter.To(Device.Cpu, DType.Float32))), settings, path, metadata);
    }

    /// <summary>Rewrites a training file of <see cref="LoraNetwork.Save"/> as the portable file (its extra metadata is kept).</summary>
    public static void Convert(string trainingPath, string portablePath)
    {
        if (!File.Exists(trainingPath)) throw new FileNotFoundException($"LoRA adapter not found: {trainingPath}", trainingPath);
        using var scope = new DisposeScope();
        using var file = SafeTensorsFile.Open(trainingPath);
        if (file.Metadata.ContainsKey(TrainedSettingsKey))
            throw new InvalidDataException($"{trainingPath} is already an exported adapter (its lora_B holds the scale)");
        var foreign = file.Tensors.Keys.Where(k => !LoraNetwork.IsAdapterKey(k)).ToList();
        if (foreign.Count > 0)
            throw new InvalidDataException($"{trainingPath} holds tensors that are not LoRA weights: {string.Join(", ", foreign.Take(5))}");
        var settings = LoraNetwork.ReadSettings(trainingPath);
        var extra = file.Metadata.Where(m => m.Key is not ("format" or LoraNetwork.MetadataKey)).ToDictionary(m => m.Key, m => m.Value);
        Write(file.Tensors.Keys.Order(StringComparer.Ordinal).Select(k => (k, file.Load(k, DType.Float32))), settings, portablePath, extra);
    }

    /// <summary>The settings the exported file declares: same rank and targets, scale 1.</summary>
    public static LoraSettings PortableSettings(LoraSettings trained) => trained with { Alpha = trained.Rank, UseRsLora = false };

    private static void Write(IEnumerable<(string Name, Tensor Value)> adapters, LoraSettings settings, string path, IReadOnlyDictionary<string, string>? metadata)
    {
        var errors = settings.Errors().ToList();
        if (errors.Count > 0) throw new ArgumentException("invalid LoRA settings: " + string.Join("; ", errors));
        var tensors = adapters.Select(a => KeyValuePair.Create(a.Name,
            a.Name.EndsWith(".lora_B.weight", StringComparison.Ordinal) ? a.Value * settings.Scale : a.Value)).ToList();
        var header = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            ["format"] = "pt",
            [LoraNetwork.MetadataKey] = LoraNetwork.SettingsJson(PortableSettings(settings)),
            [TrainedSettingsKey] = LoraNetwork.SettingsJson(settings),
        };
        var temporary = path + ".partial";
        SafeTensorsWriter.Save(temporary, tensors, header);
        File.Move(temporary, path, overwrite: true);
    }
}
