using AceTrainer.Engine.Lora;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Tests;

public class LoraTests
{
    private static readonly LoraSettings Attention = new()
    {
        Rank = 4, Alpha = 8, UseRsLora = true, TargetModules = ["to_q", "to_v", "to_out", "ff.0"],
    };

    [Fact]
    public void Attach_targets_by_suffix_freezes_the_base_and_starts_as_the_identity()
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed(1);
        using var model = new ReferenceModel();
        var tokens = Tensor.RandInt(0, 50, [2, 5]);
        var before = model.Forward(tokens);

        var adapted = LoraNetwork.Attach(model, Attention);

        Assert.Equal(["blocks.0.attn.to_q", "blocks.0.attn.to_v", "blocks.0.attn.to_out", "blocks.0.ff.0",
            "blocks.1.attn.to_q", "blocks.1.attn.to_v", "blocks.1.attn.to_out", "blocks.1.ff.0"], adapted);
        Assert.Contains("blocks.0.attn.to_q.lora_A.weight", model.StateDict().Keys);
        var trainable = model.NamedParameters().Where(p => p.Parameter.RequiresGrad).Select(p => p.Name).Order().ToList();
        Assert.Equal(LoraNetwork.Parameters(model).Select(p => p.Name).Order(), trainable);
        Assert.Equal(16, trainable.Count);
        Assert.Equal([4L, 16L], model.blocks[0].attn.to_q.Lora!.A.weight.Shape);
        Assert.Equal([16L, 4L], model.blocks[0].attn.to_q.Lora!.B.weight.Shape);
        Assert.Equal(4.0, model.blocks[0].attn.to_q.Lora!.Scale); // rsLoRA: 8 / sqrt(4)
        TensorAssert.Close(before, model.Forward(tokens), 0, 0, "B = 0 leaves the output unchanged");
    }

    [Fact]
    public void Backward_reaches_only_the_adapters()
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed(2);
        using var model = new ReferenceModel();
        LoraNetwork.Attach(model, Attention);
        model.Forward(Tensor.RandInt(0, 50, [2, 5])).Square().Sum().Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            using var grad = p.Grad;
            if (LoraNetwork.IsAdapterKey(name)) Assert.True(grad is not null, $"{name} has no gradient");
            else Assert.True(grad is null, $"frozen {name} got a gradient");
        }
        using var bGrad = model.blocks[0].attn.to_q.Lora!.B.weight.Grad!;
        Assert.True(bGrad.Abs().Sum().Item() > 0, "B's gradient is zero");
    }

    [Fact]
    public void Saved_adapter_has_peft_keys_and_config_and_matches_a_pytorch_application()
    {
        using var scope = new DisposeScope();
        var folder = Directory.CreateTempSubdirectory("engine-lora-").FullName;
        Torch.ManualSeed(3);
        using var model = new ReferenceModel();
        var settings = Attention with { UseRsLora = false, Alpha = 6 };
        LoraNetwork.Attach(model, settings);
        using (Torch.NoGrad())
            foreach (var (_, p) in LoraNetwork.Parameters(model)) p.Normal_(0, 0.2);
        var tokens = Tensor.RandInt(0, 50, [2, 7]);
        var output = model.Forward(tokens);

        var basePath = Path.Combine(folder, "base.safetensors");
        var basis = model.StateDict().Where(p => !LoraNetwork.IsAdapterKey(p.Key)).Select(p => KeyValuePair.Create("model." + p.Key, p.Value)).ToList();
        SafeTensorsWriter.Save(basePath, basis.Append(KeyValuePair.Create("tokens", tokens)));
        var adapterPath = Path.Combine(folder, LoraNetwork.WeightsFileName);
        LoraNetwork.Save(model, settings, adapterPath);

        using (var file = SafeTensorsFile.Open(adapterPath))
        {
            Assert.Equal(LoraNetwork.Parameters(model).Select(p => p.Name).Order(), file.Tensors.Keys.Order());
            Assert.Equal(settings.TargetModules, LoraNetwork.ReadSettings(adapterPath).TargetModules);
            Assert.Equal(1.5, LoraNetwork.ReadSettings(adapterPath).Scale);
        }
        var outPath = Path.Combine(folder, "reference.safetensors");
        PythonRunner.Run("lora_reference.py", basePath, adapterPath, outPath);
        using var reference = SafeTensorsFile.Open(outPath);
        TensorAssert.Close(reference.Load("output"), output, 1e-4, 1e-5, "PEFT-style application in PyTorch");
    }

    [Fact]
    public void Loading_an_adapter_attaches_it_and_restores_the_outputs()
    {
        using var scope = new DisposeScope();
        var path = Path.Combine(Directory.CreateTempSubdirectory("engine-lora-").FullName, LoraNetwork.WeightsFileName);
        Torch.ManualSeed(4);
        using var trained = new ReferenceModel();
        LoraNetwork.Attach(trained, Attention);
        using (Torch.NoGrad())
            foreach (var (_, p) in LoraNetwork.Parameters(trained)) p.Normal_(0, 0.2);
        LoraNetwork.Save(trained, Attention, path);
        using var fresh = new ReferenceModel();
        fresh.LoadStateDict(trained.StateDict().Where(p => !LoraNetwork.IsAdapterKey(p.Key)).ToDictionary(), strict: false);

        var settings = LoraNetwork.Load(fresh, path);

        Assert.Equal(Attention.Rank, settings.Rank);
        var tokens = Tensor.RandInt(0, 50, [2, 5]);
        TensorAssert.Close(trained.Forward(tokens), fresh.Forward(tokens), 0, 0, "reloaded adapter");
    }

    [Fact]
    public void Bad_targets_and_files_are_reported_clearly()
    {
        using var scope = new DisposeScope();
        using var model = new ReferenceModel();
        var unknown = Assert.Throws<ArgumentException>(() => LoraNetwork.Attach(model, Attention with { TargetModules = ["to_q", "to_nothing"] }));
        Assert.Contains("to_nothing", unknown.Message);
        var notLinear = Assert.Throws<ArgumentException>(() => LoraNetwork.Attach(model, Attention with { TargetModules = ["norm1"] }));
        Assert.Contains("blocks.0.norm1 (LayerNorm)", notLinear.Message);
        var zeroRank = Assert.Throws<ArgumentException>(() => LoraNetwork.Attach(model, Attention with { Rank = 0 }));
        Assert.Contains("rank must be positive", zeroRank.Message);
        Assert.Empty(LoraNetwork.Parameters(model));

        var folder = Directory.CreateTempSubdirectory("engine-lora-").FullName;
        var plain = Path.Combine(folder, "plain.safetensors");
        model.SaveSafeTensors(plain);
        Assert.Contains("lora_adapter_metadata", Assert.Throws<InvalidDataException>(() => LoraNetwork.Load(model, plain)).Message);
        Assert.Throws<FileNotFoundException>(() => LoraNetwork.Load(model, Path.Combine(folder, "missing.safetensors")));

        var wide = Path.Combine(folder, "wide.safetensors");
        using (var other = new ReferenceModel())
        {
            LoraNetwork.Attach(other, Attention with { Rank = 8 });
            LoraNetwork.Save(other, Attention with { Rank = 8 }, wide);
        }
        LoraNetwork.Attach(model, Attention);
        Assert.Contains("has shape", Assert.Throws<InvalidDataException>(() => LoraNetwork.Load(model, wide)).Message);
    }
}
