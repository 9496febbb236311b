using System.Text.Json;
using AceTrainer.AceStep.Training;

namespace AceTrainer.AceStep.Tests.Training;

public class RunPresetsTests
{
    [Fact]
    public void Three_presets_from_small_to_large_rank_each_valid_once_the_worker_fills_the_folders()
    {
        Assert.Equal(["conservative", "balanced", "aggressive"], RunPresets.All.Select(p => p.Name));
        Assert.Equal([16, 64, 256], RunPresets.All.Select(p => p.Config.Lora.Rank));
        foreach (var preset in RunPresets.All)
        {
            Assert.Equal(("", ""), (preset.Config.DatasetDir, preset.Config.OutputDir));
            Assert.Equal(["dataset_dir", "output_dir"], preset.Config.Validate().Keys.Order(StringComparer.Ordinal));
            Assert.Empty((preset.Config with { DatasetDir = "d", OutputDir = "o" }).Validate());
            Assert.Equal(TrainingConfig.UpstreamLora.TargetModules, preset.Config.Lora.TargetModules);
            Assert.False(string.IsNullOrWhiteSpace(preset.Label + preset.Description));
            Assert.Same(preset, RunPresets.Find(preset.Name.ToUpperInvariant()));
        }
        Assert.Null(RunPresets.Find("reckless"));
    }

    [Fact]
    public void A_preset_serialises_with_the_run_json_names_inside_config()
    {
        var json = JsonSerializer.Serialize(RunPresets.Balanced, new JsonSerializerOptions(JsonSerializerDefaults.Web));
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("balanced", root.GetProperty("name").GetString());
        Assert.Equal(64, root.GetProperty("config").GetProperty("lora").GetProperty("r").GetInt32());
        Assert.Equal(4, root.GetProperty("config").GetProperty("gradient_accumulation_steps").GetInt32());
    }
}
