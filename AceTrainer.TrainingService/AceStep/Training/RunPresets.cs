namespace AceTrainer.AceStep.Training;

/// <summary>A named starting point for the run form; dataset_dir and output_dir stay empty (the worker fills them).</summary>
public sealed record RunPreset(string Name, string Label, string Description, TrainingConfig Config);

/// <summary>
/// Conservative (r16), Balanced (r64) and Aggressive (r256), after the ACETrainer UI's presets (all bf16, rsLoRA with
/// alpha 32, the 8 upstream targets) and upstream's recipe (r256, alpha 32, rsLoRA, lr 1e-4). rsLoRA's scale
/// alpha/√r keeps the size of an update about the same at every rank, so alpha stays 32 and the presets differ in
/// capacity, regularisation and length. Steps are optimizer steps: with 4 micro-batches per step, 1000 steps see a
/// song 4000 times over the dataset, about what the UI's 5000 "steps" (micro-batches) did.
/// </summary>
public static class RunPresets
{
    private static readonly TrainingConfig Base = new() { Precision = "bf16", GradientCheckpointing = true };

    // r16 (scale 8): a light style adapter; dropout 0.1 and averaging 4 songs per step keep it from memorising a small
    // set, 1000 steps is enough at this capacity, and a checkpoint every 250 leaves earlier ones to fall back to.
    public static RunPreset Conservative { get; } = new("conservative", "Conservative",
        "Rank 16: a small adapter that picks up the style without copying songs; least memory, fastest.",
        Base with
        {
            Lora = TrainingConfig.UpstreamLora with { Rank = 16, Alpha = 32, Dropout = 0.1 },
            LearningRate = 1e-4, AccumulationSteps = 4, MaxSteps = 1000, CheckpointEvery = 250,
        });

    // r64 (scale 4): four times the capacity for sets with more variety; lighter dropout (0.05) since there is more
    // data to spread over, twice the steps to use the capacity, still upstream's lr 1e-4 with 4 songs per step.
    public static RunPreset Balanced { get; } = new("balanced", "Balanced",
        "Rank 64: more capacity for varied datasets; the usual choice.",
        Base with
        {
            Lora = TrainingConfig.UpstreamLora with { Rank = 64, Alpha = 32, Dropout = 0.05 },
            LearningRate = 1e-4, AccumulationSteps = 4, MaxSteps = 2000, CheckpointEvery = 250,
        });

    // r256 (scale 2): upstream's own adapter and optimizer (lr 1e-4, no dropout, one song per step), so it follows
    // each song closely and can overfit a few songs; 5000 steps with a checkpoint every 500 to pick the best one.
    public static RunPreset Aggressive { get; } = new("aggressive", "Aggressive",
        "Rank 256, upstream's recipe: learns the songs closely and can overfit small sets; most memory, slowest.",
        Base with
        {
            Lora = TrainingConfig.UpstreamLora with { Rank = 256, Alpha = 32, Dropout = 0 },
            LearningRate = 1e-4, AccumulationSteps = 1, MaxSteps = 5000, CheckpointEvery = 500,
        });

    /// <summary>The presets in the order the form offers them.</summary>
    public static IReadOnlyList<RunPreset> All { get; } = [Conservative, Balanced, Aggressive];

    /// <summary>The preset called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static RunPreset? Find(string name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
