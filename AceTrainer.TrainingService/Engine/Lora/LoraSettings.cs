using System.Text.Json.Serialization;

namespace AceTrainer.Engine.Lora;

/// <summary>
/// A LoRA adapter's shape, with PEFT's <c>LoraConfig</c> field names so the same JSON is read by PEFT,
/// diffusers and ACE-Step: targets match a module's full dotted name or its suffix after a dot.
/// </summary>
public sealed record LoraSettings
{
    [JsonPropertyName("r")] public int Rank { get; init; } = 8;

    [JsonPropertyName("lora_alpha")] public double Alpha { get; init; } = 8;

    [JsonPropertyName("lora_dropout")] public double Dropout { get; init; }

    [JsonPropertyName("use_rslora")] public bool UseRsLora { get; init; }

    [JsonPropertyName("target_modules")] public IReadOnlyList<string> TargetModules { get; init; } = [];

    /// <summary>Multiplier of B·A: alpha/√r with rsLoRA, alpha/r without (PEFT's <c>scaling</c>).</summary>
    [JsonIgnore] public double Scale => UseRsLora ? Alpha / Math.Sqrt(Rank) : Alpha / Rank;

    /// <summary>Problems that make these settings unusable (empty when valid).</summary>
    public IEnumerable<string> Errors()
    {
        if (Rank <= 0) yield return $"rank must be positive (got {Rank})";
        if (!double.IsFinite(Alpha) || Alpha <= 0) yield return $"lora_alpha must be a positive number (got {Alpha})";
        if (!double.IsFinite(Dropout) || Dropout is < 0 or >= 1) yield return $"lora_dropout must be in [0, 1) (got {Dropout})";
        if (TargetModules.Count == 0) yield return "target_modules is empty";
        foreach (var t in TargetModules.Where(t => string.IsNullOrWhiteSpace(t))) yield return "target_modules has an empty name";
    }

    /// <summary>True when <paramref name="moduleName"/> is a target (exact name or dotted suffix, as PEFT).</summary>
    public bool Targets(string moduleName) =>
        TargetModules.Any(t => moduleName == t || moduleName.EndsWith("." + t, StringComparison.Ordinal));
}
