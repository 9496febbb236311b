using System.Collections.Concurrent;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Lora;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Training;

/// <summary>A linear layer of the transformer that a LoRA adapter can wrap: its full dotted name and shape.</summary>
public sealed record LinearLayer(string Name, long InFeatures, long OutFeatures);

/// <summary>
/// What a LoRA target may name in ACE-Step, read from the real module tree (built on the meta device, no weight
/// memory, once per transformer config). A target matches a module's full name or its suffix after a dot (PEFT,
/// <see cref="LoraSettings.Targets"/>); it is valid when everything it matches is a used Linear layer, i.e. when
/// <see cref="LoraNetwork.Attach"/> accepts it and the adapter trains.
/// </summary>
public static class LoraTargets
{
    // cross_attn's added-KV projections are in the checkpoint but upstream's processor never calls them, and the
    // REPA projectors only feed the SSL losses we do not compute: adapters there would never get a gradient.
    private static readonly string[] UnusedLeaves = ["add_q_proj", "add_k_proj", "add_v_proj", "to_add_out"];
    private const string UnusedRoot = "projectors";

    // keyed by the config's JSON (the record's list fields compare by reference); a config is built once
    private static readonly ConcurrentDictionary<string, Lazy<ModuleTree>> Trees = new(StringComparer.Ordinal);

    /// <summary>Every target suffix of the official model, shortest form per layer kind (e.g. "to_q", "to_out.0", "linear_q"), sorted.</summary>
    public static IReadOnlyList<string> Suffixes => Official.Suffixes;

    /// <summary>True when <paramref name="target"/> names only used Linear layers of the official model, and at least one.</summary>
    public static bool IsKnown(string target) => Official.IsKnown(target);

    /// <summary>The used Linear layers of a model built from <paramref name="model"/>, in module order.</summary>
    public static IReadOnlyList<LinearLayer> Layers(AceStepTransformerConfig model) => Tree(model).Layers;

    /// <summary>Parameters of a model built from <paramref name="model"/> (all of them, frozen base included).</summary>
    public static long BaseParameterCount(AceStepTransformerConfig model) => Tree(model).Parameters;

    /// <summary>The layers <paramref name="settings"/> adapts in that model (what <see cref="LoraNetwork.Attach"/> wraps).</summary>
    public static IReadOnlyList<LinearLayer> Targeted(LoraSettings settings, AceStepTransformerConfig model) =>
        Layers(model).Where(layer => settings.Targets(layer.Name)).ToList();

    /// <summary>Adapter parameters: r·in (A) + out·r (B) per adapted layer.</summary>
    public static long AdapterParameterCount(LoraSettings settings, AceStepTransformerConfig model) =>
        Targeted(settings, model).Sum(layer => (long)settings.Rank * (layer.InFeatures + layer.OutFeatures));

    private static ModuleTree Official => Tree(AceStepTransformerConfig.AceStepV1());

    private static ModuleTree Tree(AceStepTransformerConfig model) =>
        Trees.GetOrAdd(model.ToJson(), _ => new Lazy<ModuleTree>(() => ModuleTree.Build(model))).Value;

    private static bool IsUsed(string name) =>
        !name.StartsWith(UnusedRoot + ".", StringComparison.Ordinal) && !UnusedLeaves.Contains(name[(name.LastIndexOf('.') + 1)..]);

    private sealed record ModuleTree(IReadOnlyList<string> ModuleNames, IReadOnlyList<LinearLayer> Layers, long Parameters, IReadOnlyList<string> Suffixes)
    {
        private readonly HashSet<string> linearNames = Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);

        public static ModuleTree Build(AceStepTransformerConfig config)
        {
            using var meta = ModuleInit.On(Device.Meta);
            using var model = new AceStepTransformer(config);
            var modules = model.NamedModules().Where(m => m.Name.Length > 0).ToList();
            var layers = modules
                .Where(m => m.Module is Linear && IsUsed(m.Name))
                .Select(m => new LinearLayer(m.Name, ((Linear)m.Module).InFeatures, ((Linear)m.Module).OutFeatures))
                .ToList();
            var tree = new ModuleTree(modules.Select(m => m.Name).ToList(), layers, model.ParameterCount(), []);
            return tree with { Suffixes = layers.Select(l => tree.ShortestSuffix(l.Name)).Distinct().Order(StringComparer.Ordinal).ToList() };
        }

        public bool IsKnown(string target)
        {
            if (string.IsNullOrWhiteSpace(target)) return false;
            var matched = ModuleNames.Where(name => name == target || name.EndsWith("." + target, StringComparison.Ordinal)).ToList();
            return matched.Count > 0 && matched.All(linearNames.Contains);
        }

        // the last name parts, extended while they start with a list index ("0" alone would also match
        // Sequential containers) or do not yet name only used Linear layers: "to_out.0", "t_block.1"
        private string ShortestSuffix(string name)
        {
            var parts = name.Split('.');
            for (var take = 1; take < parts.Length; take++)
            {
                var suffix = string.Join('.', parts[^take..]);
                if (!char.IsAsciiDigit(suffix[0]) && IsKnown(suffix)) return suffix;
            }
            return name;
        }
    }
}
