using System.Text.Json;
using AceTrainer.Engine.Lora;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Tests;

/// <summary>
/// Our adapter files under the key and scale rules of ACE-Step's pipeline (diffusers + PEFT) and ComfyUI, as
/// python/lora_compat.py re-states them from their sources.
/// </summary>
public class LoraCompatibilityTests
{
    // rsLoRA with alpha != sqrt(r): scale 6/√4 = 3 (not a power of two, so folding it into lora_B rounds), and a loader
    // that drops the alpha is visibly off.
    private static readonly LoraSettings Trained = new()
    {
        Rank = 4, Alpha = 6, UseRsLora = true, TargetModules = ["to_q", "to_v", "to_out", "ff.0", "ff.2"],
    };

    private static readonly string[] Loaders =
        ["ace_step", "diffusers_metadata_peft_before_0_18", "diffusers_metadata_peft_0_18", "comfyui"];

    [Fact]
    public void Exported_adapter_gives_our_outputs_in_ace_step_diffusers_and_comfyui()
    {
        using var scope = new DisposeScope();
        var (model, folder, basePath, output) = TrainedModel(5);
        using var _ = model;
        var exported = Path.Combine(folder, LoraNetwork.WeightsFileName);
        LoraExport.Save(model, Trained, exported);

        using var outputs = Apply(basePath, exported, folder);
        var report = Report(outputs);

        foreach (var loader in Loaders)
        {
            Assert.True(outputs.Tensors.ContainsKey(loader), $"{loader} rejected the file: {report.GetProperty(loader)}");
            TensorAssert.Close(output, outputs.Load(loader), 1e-4, 1e-5, loader);
        }
        Assert.Equal(1.0, report.GetProperty("ace_step").GetProperty("scale").GetDouble());
        Assert.Equal(10, report.GetProperty("ace_step").GetProperty("patched").GetInt32());
        Assert.Equal(0, report.GetProperty("ace_step").GetProperty("unexpected").GetArrayLength());
        Assert.Equal(10, report.GetProperty("comfyui").GetProperty("patched").GetInt32());
        Assert.Equal(0, report.GetProperty("comfyui").GetProperty("not_loaded").GetArrayLength());

        using var fresh = new ReferenceModel();
        fresh.LoadStateDict(model.StateDict().Where(p => !LoraNetwork.IsAdapterKey(p.Key)).ToDictionary(), strict: false);
        Assert.Equal(1.0, LoraNetwork.Load(fresh, exported).Scale);
        TensorAssert.Close(output, fresh.Forward(Tokens()), 1e-5, 1e-6, "our own loader on the exported file");
    }

    [Fact]
    public void Training_file_loses_its_scale_outside_our_engine()
    {
        using var scope = new DisposeScope();
        var (model, folder, basePath, output) = TrainedModel(6);
        using var _ = model;
        var training = Path.Combine(folder, "training.safetensors");
        LoraNetwork.Save(model, Trained, training);

        using var outputs = Apply(basePath, training, folder);
        var report = Report(outputs);

        Assert.Equal(1.0, report.GetProperty("ace_step").GetProperty("scale").GetDouble());
        Assert.Equal([1.0], report.GetProperty("comfyui").GetProperty("scale").EnumerateArray().Select(s => s.GetDouble()));
        foreach (var loader in new[] { "ace_step", "comfyui" })
            Assert.True((outputs.Load(loader) - output).Abs().Max().Item() > 1e-2, $"{loader} should differ (scale 1 instead of 3)");
        // diffusers reading the metadata keeps rsLoRA only with PEFT >= 0.18; older PEFT applies alpha/r (1.5 here, not 3)
        TensorAssert.Close(output, outputs.Load("diffusers_metadata_peft_0_18"), 1e-4, 1e-5, "diffusers with metadata, PEFT 0.18");
        Assert.True((outputs.Load("diffusers_metadata_peft_before_0_18") - output).Abs().Max().Item() > 1e-2, "PEFT before 0.18 drops rsLoRA");
    }

    [Fact]
    public void Convert_turns_a_training_file_into_the_exported_one()
    {
        using var scope = new DisposeScope();
        var (model, folder, _, _) = TrainedModel(7);
        using var __ = model;
        var training = Path.Combine(folder, "training.safetensors");
        var saved = Path.Combine(folder, "saved.safetensors");
        var converted = Path.Combine(folder, "converted.safetensors");
        LoraNetwork.Save(model, Trained, training, metadata: new Dictionary<string, string> { ["step"] = "12" });
        LoraExport.Save(model, Trained, saved);

        LoraExport.Convert(training, converted);

        using var a = SafeTensorsFile.Open(saved);
        using var b = SafeTensorsFile.Open(converted);
        Assert.Equal(a.Tensors.Keys.Order(), b.Tensors.Keys.Order());
        foreach (var key in a.Tensors.Keys) TensorAssert.Close(a.Load(key), b.Load(key), 0, 0, key);
        Assert.Equal("12", b.Metadata["step"]);
        var trained = JsonSerializer.Deserialize<LoraSettings>(b.Metadata[LoraExport.TrainedSettingsKey])!;
        Assert.Equal((Trained.Alpha, Trained.UseRsLora), (trained.Alpha, trained.UseRsLora));
        Assert.Equal(LoraExport.PortableSettings(Trained).Alpha, LoraNetwork.ReadSettings(converted).Alpha);
        Assert.Contains("already an exported adapter", Assert.Throws<InvalidDataException>(() => LoraExport.Convert(converted, training)).Message);
    }

    private static Tensor Tokens()
    {
        Torch.ManualSeed(99);
        return Tensor.RandInt(0, 50, [2, 6]);
    }

    private static (ReferenceModel Model, string Folder, string BasePath, Tensor Output) TrainedModel(ulong seed)
    {
        var folder = Directory.CreateTempSubdirectory("engine-lora-compat-").FullName;
        Torch.ManualSeed(seed);
        var model = new ReferenceModel();
        LoraNetwork.Attach(model, Trained);
        using (Torch.NoGrad())
            foreach (var (_, p) in LoraNetwork.Parameters(model)) p.Normal_(0, 0.2);
        var tokens = Tokens();
        var output = model.Forward(tokens);
        var basePath = Path.Combine(folder, "base.safetensors");
        var basis = model.StateDict().Where(p => !LoraNetwork.IsAdapterKey(p.Key)).Select(p => KeyValuePair.Create("model." + p.Key, p.Value));
        SafeTensorsWriter.Save(basePath, basis.Append(KeyValuePair.Create("tokens", tokens)));
        return (model, folder, basePath, output);
    }

    private static SafeTensorsFile Apply(string basePath, string adapterPath, string folder)
    {
        var outPath = Path.Combine(folder, "loaded-" + Path.GetFileNameWithoutExtension(adapterPath) + ".safetensors");
        PythonRunner.Run("lora_compat.py", basePath, adapterPath, outPath);
        return SafeTensorsFile.Open(outPath);
    }

    private static JsonElement Report(SafeTensorsFile outputs) => JsonDocument.Parse(outputs.Metadata["report"]).RootElement;
}
