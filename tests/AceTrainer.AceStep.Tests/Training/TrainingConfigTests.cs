using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Training;

namespace AceTrainer.AceStep.Tests.Training;

public class TrainingConfigTests
{
    [Fact]
    public void Defaults_are_the_upstream_recipe_and_round_trip_through_json()
    {
        using var folder = new TempFolder();
        var config = new TrainingConfig { DatasetDir = "data", OutputDir = "out" };
        Assert.Empty(config.Validate());
        Assert.Equal((1e-4, 0.8, 0.9, 1e-2, 0.5, 3.0), (config.LearningRate, config.Beta1, config.Beta2, config.WeightDecay, config.MaxGradNorm, config.Shift));
        Assert.Equal(256, config.Lora.Rank);
        Assert.Equal(2.0, config.Lora.Scale);
        File.WriteAllText(folder.File("run.json"), config.ToJson());
        var loaded = TrainingConfig.Load(folder.File("run.json"));
        Assert.Equal(config.ToJson(), loaded.ToJson());
        Assert.Contains("\"gradient_accumulation_steps\": 1", config.ToJson());
    }

    [Fact]
    public void Every_bad_field_is_named()
    {
        var bad = new TrainingConfig
        {
            LearningRate = double.NaN, MaxSteps = 0, Epochs = 0, AccumulationSteps = 0, Precision = "fp8",
            Scheduler = "step", TextDropout = 1.5, Lora = TrainingConfig.UpstreamLora with { Rank = 0 },
        };
        var errors = bad.Validate();
        Assert.Equal(["dataset_dir", "output_dir", "learning_rate", "lr_scheduler", "max_steps", "gradient_accumulation_steps", "text_dropout", "precision", "lora.r"],
            errors.Keys);
        Assert.Equal("must be a positive whole number", errors["lora.r"]);
        Assert.Contains("learning_rate: must be a positive number", Assert.Throws<ArgumentException>(() => bad.EnsureValid()).Message);
    }

    [Fact]
    public void Lora_problems_are_named_by_field_and_unknown_modules_by_name()
    {
        var config = new TrainingConfig
        {
            DatasetDir = "data", OutputDir = "out",
            Lora = new() { Rank = -1, Alpha = 0, Dropout = 1, TargetModules = ["to_q", "to_qq", "add_k_proj", "ff.depth_conv.conv"] },
        };
        var errors = config.Validate();
        Assert.Equal(["lora.lora_alpha", "lora.lora_dropout", "lora.r", "lora.target_modules"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("not a LoRA-targetable ACE-Step layer: 'to_qq', 'add_k_proj', 'ff.depth_conv.conv' (", errors["lora.target_modules"]);
        Assert.Equal("choose at least one module", (config with { Lora = config.Lora with { TargetModules = [] } }).Validate()["lora.target_modules"]);
        Assert.Empty((config with { Lora = TrainingConfig.UpstreamLora with { TargetModules = ["attn.to_q", "transformer_blocks.3.cross_attn.to_v"] } }).Validate());
    }

    public static TheoryData<string> NumericFields() =>
    [
        "learning_rate", "adam_beta1", "adam_beta2", "adam_epsilon", "weight_decay", "max_grad_norm", "shift", "logit_mean", "logit_std",
        "text_dropout", "lyrics_dropout", "speaker_dropout", "lora.lora_alpha", "lora.lora_dropout",
    ];

    [Theory]
    [MemberData(nameof(NumericFields))]
    public void NaN_and_infinity_are_reported_on_their_field(string field)
    {
        foreach (var value in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            var config = With(new TrainingConfig { DatasetDir = "data", OutputDir = "out" }, field, value);
            Assert.Equal([field], config.Validate().Keys);
        }
    }

    [Fact]
    public void NaN_from_json_is_rejected_by_the_parser_or_named_by_Validate()
    {
        // the API reads with web defaults: a bare NaN is not JSON, but numbers in strings are allowed, "NaN" included
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<TrainingConfig>("{\"learning_rate\": NaN}", web));
        var quoted = System.Text.Json.JsonSerializer.Deserialize<TrainingConfig>(
            "{\"dataset_dir\": \"d\", \"output_dir\": \"o\", \"learning_rate\": \"NaN\", \"lora\": {\"r\": 4, \"lora_alpha\": \"Infinity\", \"target_modules\": [\"to_q\"]}}", web)!;
        Assert.Equal(["learning_rate", "lora.lora_alpha"], quoted.Validate().Keys);
        var nulls = System.Text.Json.JsonSerializer.Deserialize<TrainingConfig>("{\"lora\": {\"r\": 4, \"target_modules\": null}}", web)!;
        Assert.Equal("is required", nulls.Validate()["lora.target_modules"]);
        Assert.Equal("is required", System.Text.Json.JsonSerializer.Deserialize<TrainingConfig>("{\"lora\": null}", web)!.Validate()["lora"]);
    }

    private static TrainingConfig With(TrainingConfig c, string field, double v) => field switch
    {
        "learning_rate" => c with { LearningRate = v },
        "adam_beta1" => c with { Beta1 = v },
        "adam_beta2" => c with { Beta2 = v },
        "adam_epsilon" => c with { Epsilon = v },
        "weight_decay" => c with { WeightDecay = v },
        "max_grad_norm" => c with { MaxGradNorm = v },
        "shift" => c with { Shift = v },
        "logit_mean" => c with { LogitMean = v },
        "logit_std" => c with { LogitStd = v },
        "text_dropout" => c with { TextDropout = v },
        "lyrics_dropout" => c with { LyricsDropout = v },
        "speaker_dropout" => c with { SpeakerDropout = v },
        "lora.lora_alpha" => c with { Lora = c.Lora with { Alpha = v } },
        "lora.lora_dropout" => c with { Lora = c.Lora with { Dropout = v } },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "no such numeric field"),
    };

    [Fact]
    public void Unreadable_config_files_say_where()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("bad.json"), "{ \"max_steps\": \"many\" }");
        Assert.Contains("bad.json", Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(folder.File("bad.json"))).Message);
        Assert.Throws<FileNotFoundException>(() => TrainingConfig.Load(folder.File("none.json")));
    }
}
