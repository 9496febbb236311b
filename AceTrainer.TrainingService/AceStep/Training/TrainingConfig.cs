using System.Text.Json;
using System.Text.Json.Serialization;
using AceTrainer.Engine.Lora;

namespace AceTrainer.AceStep.Training;

/// <summary>
/// Everything a LoRA training run needs (<c>run.json</c>). Names follow upstream's trainer arguments where it has
/// one; defaults are upstream's recipe (AdamW 1e-4 (0.8, 0.9) wd 1e-2, 10 warm-up steps then linear decay,
/// clip 0.5, shift 3.0, CFG dropout 15/15/50 %) and the 8 upstream LoRA targets.
/// </summary>
public sealed record TrainingConfig
{
    /// <summary>The official checkpoint folder (ace_step_transformer/, music_dcae_f8c8/, music_vocoder/, umt5-base/); null trains the tiny model.</summary>
    [JsonPropertyName("checkpoint_dir")] public string? CheckpointDir { get; init; }

    /// <summary>ACE-Step's lyric vocabulary (acestep/models/lyrics_utils/vocab.json); default: vocab.json in checkpoint_dir.</summary>
    [JsonPropertyName("lyric_vocab")] public string? LyricVocab { get; init; }

    /// <summary>Samples on disk in the upstream (NAME_prompt.txt) or SimpleTuner (NAME.txt) layout.</summary>
    [JsonPropertyName("dataset_dir")] public string DatasetDir { get; init; } = "";

    /// <summary>Where checkpoints, metrics and the config copy go.</summary>
    [JsonPropertyName("output_dir")] public string OutputDir { get; init; } = "";

    /// <summary>Where prepared latents and embeddings are kept between runs (default: output_dir/prepared).</summary>
    [JsonPropertyName("cache_dir")] public string? CacheDir { get; init; }

    /// <summary>Recompute latents and text states every step instead of caching them.</summary>
    [JsonPropertyName("prepare_on_the_fly")] public bool PrepareOnTheFly { get; init; }

    /// <summary>Shuffled orders of each prompt's tags kept in the cache (upstream reshuffles every step).</summary>
    [JsonPropertyName("prompt_variants")] public int PromptVariants { get; init; } = 4;

    [JsonPropertyName("lora")] public LoraSettings Lora { get; init; } = UpstreamLora;

    /// <summary>An adapter to start from (a pytorch_lora_weights.safetensors file or its folder).</summary>
    [JsonPropertyName("init_lora")] public string? InitLora { get; init; }

    /// <summary>A checkpoint folder of an earlier run of this config to continue from, or "latest".</summary>
    [JsonPropertyName("resume_from")] public string? ResumeFrom { get; init; }

    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; } = 1e-4;
    [JsonPropertyName("adam_beta1")] public double Beta1 { get; init; } = 0.8;
    [JsonPropertyName("adam_beta2")] public double Beta2 { get; init; } = 0.9;
    [JsonPropertyName("adam_epsilon")] public double Epsilon { get; init; } = 1e-8;
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = 1e-2;

    /// <summary>constant, linear, cosine or cosine_with_restarts (all after a linear warm-up).</summary>
    [JsonPropertyName("lr_scheduler")] public string Scheduler { get; init; } = "linear";
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; init; } = 10;
    [JsonPropertyName("lr_cycles")] public int Cycles { get; init; } = 1;

    /// <summary>Optimizer steps to train; when 0, <see cref="Epochs"/> decides.</summary>
    [JsonPropertyName("max_steps")] public long MaxSteps { get; init; } = 2000;

    /// <summary>Passes over the (repeated) dataset; used when max_steps is 0.</summary>
    [JsonPropertyName("epochs")] public int Epochs { get; init; }

    /// <summary>How many times each sample appears per epoch (upstream repeats dataset rows).</summary>
    [JsonPropertyName("repeat_count")] public int RepeatCount { get; init; } = 1;

    [JsonPropertyName("gradient_accumulation_steps")] public int AccumulationSteps { get; init; } = 1;
    [JsonPropertyName("max_grad_norm")] public double MaxGradNorm { get; init; } = 0.5;
    [JsonPropertyName("shift")] public double Shift { get; init; } = 3.0;
    [JsonPropertyName("logit_mean")] public double LogitMean { get; init; }
    [JsonPropertyName("logit_std")] public double LogitStd { get; init; } = 1.0;
    [JsonPropertyName("text_dropout")] public double TextDropout { get; init; } = 0.15;
    [JsonPropertyName("lyrics_dropout")] public double LyricsDropout { get; init; } = 0.15;
    [JsonPropertyName("speaker_dropout")] public double SpeakerDropout { get; init; } = 0.5;

    /// <summary>fp32 or bf16 (bf16: base weights and activations in bfloat16, adapter master weights in float32).</summary>
    [JsonPropertyName("precision")] public string Precision { get; init; } = "fp32";

    /// <summary>cpu, cuda or auto (cuda when available).</summary>
    [JsonPropertyName("device")] public string Device { get; init; } = "auto";

    [JsonPropertyName("gradient_checkpointing")] public bool GradientCheckpointing { get; init; } = true;
    [JsonPropertyName("seed")] public long Seed { get; init; } = 42;

    /// <summary>Save a checkpoint every this many optimizer steps (and always at the end).</summary>
    [JsonPropertyName("checkpoint_every")] public long CheckpointEvery { get; init; } = 500;

    /// <summary>Lyric language for the lyric tokenizer when a sample does not say.</summary>
    [JsonPropertyName("lyrics_language")] public string LyricsLanguage { get; init; } = "en";

    /// <summary>Prepended to every prompt (the dataset's trigger word); empty for none.</summary>
    [JsonPropertyName("trigger_word")] public string TriggerWord { get; init; } = "";

    public static LoraSettings UpstreamLora { get; } = new()
    {
        Rank = 256, Alpha = 32, UseRsLora = true, Dropout = 0,
        TargetModules = ["speaker_embedder", "linear_q", "linear_k", "linear_v", "to_q", "to_k", "to_v", "to_out.0"],
    };

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"training config not found: {path}", path);
        try
        {
            return JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Field name → problem, for every setting that cannot train (empty when the config is usable).</summary>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        void Check(bool ok, string field, string message) { if (!ok) errors.TryAdd(field, message); }
        static bool Positive(double v) => double.IsFinite(v) && v > 0;
        static bool Probability(double v) => double.IsFinite(v) && v is >= 0 and <= 1;
        Check(DatasetDir.Length > 0, "dataset_dir", "a dataset folder is required");
        Check(OutputDir.Length > 0, "output_dir", "an output folder is required");
        Check(Positive(LearningRate), "learning_rate", "must be a positive number");
        Check(Probability(Beta1) && Beta1 < 1, "adam_beta1", "must be in [0, 1)");
        Check(Probability(Beta2) && Beta2 < 1, "adam_beta2", "must be in [0, 1)");
        Check(Positive(Epsilon), "adam_epsilon", "must be a positive number");
        Check(double.IsFinite(WeightDecay) && WeightDecay >= 0, "weight_decay", "must be zero or positive");
        Check(Scheduler is "constant" or "linear" or "cosine" or "cosine_with_restarts", "lr_scheduler", "must be constant, linear, cosine or cosine_with_restarts");
        Check(WarmupSteps >= 0, "warmup_steps", "must be zero or positive");
        Check(Cycles >= 1, "lr_cycles", "must be at least 1");
        Check(MaxSteps > 0 || Epochs > 0, "max_steps", "give max_steps or epochs (a positive number)");
        Check(MaxSteps >= 0, "max_steps", "must not be negative");
        Check(Epochs >= 0, "epochs", "must not be negative");
        Check(RepeatCount >= 1, "repeat_count", "must be at least 1");
        Check(AccumulationSteps >= 1, "gradient_accumulation_steps", "must be at least 1");
        Check(Positive(MaxGradNorm), "max_grad_norm", "must be a positive number");
        Check(Positive(Shift), "shift", "must be a positive number");
        Check(double.IsFinite(LogitMean), "logit_mean", "must be a number");
        Check(Positive(LogitStd), "logit_std", "must be a positive number");
        Check(Probability(TextDropout), "text_dropout", "must be in [0, 1]");
        Check(Probability(LyricsDropout), "lyrics_dropout", "must be in [0, 1]");
        Check(Probability(SpeakerDropout), "speaker_dropout", "must be in [0, 1]");
        Check(Precision is "fp32" or "bf16", "precision", "must be fp32 or bf16");
        Check(Device is "auto" or "cpu" or "cuda", "device", "must be auto, cpu or cuda");
        Check(CheckpointEvery >= 1, "checkpoint_every", "must be at least 1");
        Check(PromptVariants >= 1, "prompt_variants", "must be at least 1");
        // JSON null ("lora": null, "target_modules": null) gets past the non-nullable declarations
        if (Lora is null || Lora.TargetModules is null)
        {
            errors.TryAdd(Lora is null ? "lora" : "lora.target_modules", "is required");
            return errors;
        }
        Check(Lora.Rank > 0, "lora.r", "must be a positive whole number");
        Check(Positive(Lora.Alpha), "lora.lora_alpha", "must be a positive number");
        Check(Probability(Lora.Dropout) && Lora.Dropout < 1, "lora.lora_dropout", "must be in [0, 1)");
        Check(Lora.TargetModules.Count > 0, "lora.target_modules", "choose at least one module");
        var unknown = Lora.TargetModules.Where(t => !LoraTargets.IsKnown(t)).Select(t => $"'{t}'").ToList();
        Check(unknown.Count == 0, "lora.target_modules",
            $"not a LoRA-targetable ACE-Step layer: {string.Join(", ", unknown)} (a used Linear layer's name or dotted suffix, e.g. to_q, to_out.0, linear_q)");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid field.</summary>
    public TrainingConfig EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid training config: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")));
        return this;
    }
}
