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
        Assert.Equal(["dataset_dir", "output_dir", "learning_rate", "lr_scheduler", "max_steps", "gradient_accumulation_steps", "text_dropout", "precision", "lora"],
            errors.Keys);
        Assert.Contains("rank must be positive", errors["lora"]);
        Assert.Contains("learning_rate: must be a positive number", Assert.Throws<ArgumentException>(() => bad.EnsureValid()).Message);
    }

    [Fact]
    public void Unreadable_config_files_say_where()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("bad.json"), "{ \"max_steps\": \"many\" }");
        Assert.Contains("bad.json", Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(folder.File("bad.json"))).Message);
        Assert.Throws<FileNotFoundException>(() => TrainingConfig.Load(folder.File("none.json")));
    }
}
