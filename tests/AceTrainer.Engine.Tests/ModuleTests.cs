using AceTrainer.Engine.Modules;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Tests;

public class ModuleTests
{
    [Fact]
    public void State_dict_names_and_forward_match_the_pytorch_twin()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("engine-module-").FullName, "model.safetensors");
        PythonRunner.Run("module_reference.py", path);
        using var scope = new DisposeScope();
        using var file = SafeTensorsFile.Open(path);
        using var model = new ReferenceModel();
        var pythonKeys = file.Tensors.Keys.Where(k => k.StartsWith("model.", StringComparison.Ordinal)).Select(k => k["model.".Length..]).Order(StringComparer.Ordinal);
        Assert.Equal(pythonKeys, model.StateDict().Keys.Order(StringComparer.Ordinal));
        Assert.Contains("blocks.1.attn.to_q.weight", model.StateDict().Keys);
        Assert.Equal("module_reference.py", file.Metadata["source"]);

        var state = file.Tensors.Keys.Where(k => k.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(k => k["model.".Length..], k => file.Load(k));
        var result = model.LoadStateDict(state);
        Assert.Empty(result.MissingKeys);
        var output = model.Forward(file.Load("tokens"));
        TensorAssert.Close(file.Load("output"), output, 1e-4, 1e-5, "model output");
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed(7);
        using var model = new ReferenceModel();
        model.To(dtype: DType.Float64);
        var tokens = Tensor.RandInt(0, 50, [2, 5]);
        var weights = Tensor.Randn([2, 5, 16], DType.Float64);
        double Loss()
        {
            using var inner = new DisposeScope();
            using var noGrad = Torch.NoGrad();
            return (model.Forward(tokens) * weights).Sum().Item();
        }
        (model.Forward(tokens) * weights).Sum().Backward();
        var random = new Random(3);
        const double h = 1e-6;
        foreach (var (name, p) in model.NamedParameters())
        {
            var grad = p.Grad!.Reshape(-1).ToArray<double>();
            var values = p.Reshape(-1);
            for (var sample = 0; sample < 3; sample++)
            {
                var index = random.Next((int)p.Numel);
                using var element = values.Select(0, index);
                var original = element.Item();
                using (Torch.NoGrad()) element.Fill_(original + h);
                var plus = Loss();
                using (Torch.NoGrad()) element.Fill_(original - h);
                var minus = Loss();
                using (Torch.NoGrad()) element.Fill_(original);
                var numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[index]) <= 1e-5 + 1e-4 * Math.Abs(numeric),
                    $"{name}[{index}]: autograd {grad[index]}, finite difference {numeric}");
            }
        }
    }

    [Fact]
    public void Activation_checkpointing_gives_the_same_gradients_and_recomputes()
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed(11);
        using var model = new ReferenceModel();
        var tokens = Tensor.RandInt(0, 50, [2, 6]);
        Dictionary<string, float[]> Gradients(bool checkpointing)
        {
            model.ZeroGrad();
            model.UseCheckpointing = checkpointing;
            model.Forward(tokens).Square().Sum().Backward();
            return model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Grad!.ToArray<float>());
        }
        var plain = Gradients(false);
        var checkpointed = Gradients(true);
        Assert.Equal(0, Checkpoint.Pending);
        foreach (var (name, expected) in plain)
        {
            for (var k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - checkpointed[name][k]) <= 1e-5 + 1e-4 * Math.Abs(expected[k]), $"{name}[{k}]");
        }
    }

    [Fact]
    public void Checkpointed_block_runs_again_in_backward_and_keeps_dropout_masks()
    {
        using var scope = new DisposeScope();
        using var layer = new Linear(8, 8);
        using var dropout = new Dropout(0.5);
        var calls = 0;
        var x = Tensor.Randn([4, 8]).RequiresGrad_();
        var y = Checkpoint.Run(inputs => { calls++; return [dropout.Forward(layer.Forward(inputs[0]))]; }, x)[0];
        Assert.Equal(1, calls);
        Assert.False(y.IsLeaf);
        y.Sum().Backward();
        Assert.Equal(2, calls);
        // y = mask * (x Wᵀ + b) * 2, so d sum(y) / d b equals the column sums of the mask pattern (values 0 or 2)
        var zeroColumns = y.Eq(0).To(DType.Float32).Sum(0).ToArray<float>();
        var expectedBiasGrad = zeroColumns.Select(z => (4 - z) * 2f).ToArray();
        Assert.Equal(expectedBiasGrad, layer.bias!.Grad!.ToArray<float>());
        Assert.NotNull(x.Grad);
    }

    [Fact]
    public void Checkpointed_block_with_a_frozen_input_still_trains_its_parameters()
    {
        using var scope = new DisposeScope();
        using var layer = new Linear(8, 8);
        var frozenInput = Tensor.Randn([4, 8]); // e.g. the output of frozen layers in front of a LoRA block
        var plain = layer.Forward(frozenInput).Square().Sum();
        plain.Backward();
        var expected = layer.weight.Grad!.Clone();
        layer.ZeroGrad();

        var y = Checkpoint.Run(inputs => [layer.Forward(inputs[0])], frozenInput)[0];
        Assert.True(y.RequiresGrad, "the checkpointed output must take part in autograd");
        y.Square().Sum().Backward();

        TensorAssert.Close(expected, layer.weight.Grad!, 1e-6, 1e-7, "weight gradient through the checkpoint");
        Assert.False(frozenInput.RequiresGrad);
        Assert.Equal(0, Checkpoint.Pending);
    }

    [Fact]
    public void Train_eval_freeze_and_to_dtype()
    {
        using var scope = new DisposeScope();
        using var model = new ReferenceModel();
        Assert.True(model.blocks[0].ff.Training);
        model.Eval();
        Assert.False(model.blocks[1].ff.Training);
        model.Freeze();
        Assert.All(model.Parameters(), p => Assert.False(p.RequiresGrad));
        model.Unfreeze();
        var weight = model.blocks[0].attn.to_q.weight;
        model.To(dtype: DType.BFloat16);
        Assert.Equal(DType.BFloat16, weight.DType);
        Assert.True(weight.RequiresGrad);
        Assert.True(weight.IsLeaf);
        Assert.Equal(model.ParameterCount(), model.Parameters().Sum(p => p.Numel));
    }
}
