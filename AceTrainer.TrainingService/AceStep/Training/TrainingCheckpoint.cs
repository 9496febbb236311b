using System.Text.Json;
using System.Text.Json.Serialization;
using AceTrainer.Engine.Lora;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.Optim;

namespace AceTrainer.AceStep.Training;

/// <summary>Where a run stands at a checkpoint: enough to continue it exactly.</summary>
public sealed record TrainerState(
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("epoch")] long Epoch,
    [property: JsonPropertyName("micro_batches")] long MicroBatches,
    [property: JsonPropertyName("seed")] long Seed);

/// <summary>
/// Checkpoints as upstream names them, <c>checkpoints/epoch=E-step=S_lora/</c>, holding the adapter twice: as
/// <c>pytorch_lora_weights.safetensors</c>, the portable file ACE-Step's pipeline and ComfyUI load with the trained
/// scale (<see cref="LoraExport"/>), and as trained (<see cref="TrainingAdapterFileName"/>); plus the optimizer and
/// trainer state. A checkpoint is written into a hidden folder and renamed into place, so a listed one is always complete.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>The adapter exactly as trained (unfolded weights, true alpha/rsLoRA): what resuming loads.</summary>
    public const string TrainingAdapterFileName = "adapter_training.safetensors";

    public const string OptimizerFileName = "optimizer.safetensors";
    public const string StateFileName = "trainer_state.json";

    public static string FolderName(long epoch, long step) => $"epoch={epoch}-step={step}_lora";

    public static string Root(string outputDir) => Path.Combine(outputDir, "checkpoints");

    public static CheckpointSaved Save(string outputDir, Module model, LoraSettings settings, AdamW optimizer, TrainerState state)
    {
        var root = Root(outputDir);
        Directory.CreateDirectory(root);
        var name = FolderName(state.Epoch, state.Step);
        var final = Path.Combine(root, name);
        var partial = Path.Combine(root, "." + name + ".partial");
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        var metadata = new Dictionary<string, string>
        {
            ["step"] = state.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["epoch"] = state.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        LoraNetwork.Save(model, settings, Path.Combine(partial, TrainingAdapterFileName), metadata: metadata);
        LoraExport.Save(model, settings, Path.Combine(partial, LoraNetwork.WeightsFileName), metadata);
        optimizer.Save(Path.Combine(partial, OptimizerFileName));
        File.WriteAllText(Path.Combine(partial, StateFileName), JsonSerializer.Serialize(state));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(partial, final);
        return new CheckpointSaved(state.Step, state.Epoch, final, Path.Combine(final, LoraNetwork.WeightsFileName));
    }

    /// <summary>Complete checkpoints of a run, oldest first.</summary>
    public static IReadOnlyList<(string Folder, TrainerState State)> List(string outputDir)
    {
        var root = Root(outputDir);
        if (!Directory.Exists(root)) return [];
        return Directory.EnumerateDirectories(root, "epoch=*-step=*_lora")
            .Select(folder => (folder, state: ReadState(folder)))
            .OrderBy(c => c.state.Step)
            .ToList();
    }

    /// <summary>The checkpoint folder <paramref name="resumeFrom"/> names ("latest" = the newest in the run's output folder).</summary>
    public static string Resolve(string outputDir, string resumeFrom)
    {
        if (resumeFrom == "latest")
        {
            var all = List(outputDir);
            return all.Count > 0 ? all[^1].Folder : throw new DirectoryNotFoundException($"no checkpoint to resume from in {Root(outputDir)}");
        }
        if (!Directory.Exists(resumeFrom)) throw new DirectoryNotFoundException($"checkpoint folder not found: {resumeFrom}");
        return resumeFrom;
    }

    public static TrainerState ReadState(string folder)
    {
        var path = Path.Combine(folder, StateFileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{folder} is not a complete checkpoint: {StateFileName} is missing", path);
        return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
    }

    /// <summary>Restores adapter weights and optimizer state into an adapted model; returns where the run stood.</summary>
    public static TrainerState Load(string folder, Module model, AdamW optimizer)
    {
        var state = ReadState(folder);
        LoraNetwork.Load(model, Path.Combine(folder, TrainingAdapterFileName));
        optimizer.Load(Path.Combine(folder, OptimizerFileName));
        return state;
    }
}
