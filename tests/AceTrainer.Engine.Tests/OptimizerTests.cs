using AceTrainer.Engine.Optim;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Tests;

public class OptimizerTests
{
    [Fact]
    public void AdamW_and_gradient_clipping_match_pytorch()
    {
        const int steps = 5;
        var directory = Directory.CreateTempSubdirectory("engine-optim-").FullName;
        using var scope = new DisposeScope();
        Torch.ManualSeed(5);
        var inputs = new Dictionary<string, Tensor> { ["p0"] = Tensor.Randn([4, 3]), ["p1"] = Tensor.Randn([5]) };
        for (var s = 0; s < steps; s++)
        {
            inputs[$"g{s}_0"] = Tensor.Randn([4, 3]) * (s + 1.0);
            inputs[$"g{s}_1"] = Tensor.Randn([5]);
        }
        var meta = new Dictionary<string, string> { ["steps"] = $"{steps}", ["lr"] = "0.01", ["weight_decay"] = "0.1", ["max_norm"] = "3.0" };
        var inPath = Path.Combine(directory, "in.safetensors");
        var outPath = Path.Combine(directory, "out.safetensors");
        SafeTensorsWriter.Save(inPath, inputs, meta);
        PythonRunner.Run("optim_reference.py", inPath, outPath);

        var p = new[] { inputs["p0"].Clone().Detach().RequiresGrad_(), inputs["p1"].Clone().Detach().RequiresGrad_() };
        using var optimizer = new AdamW(p, new AdamWOptions(LearningRate: 0.01, Beta1: 0.9, Beta2: 0.95, WeightDecay: 0.1));
        using var reference = SafeTensorsFile.Open(outPath);
        for (var s = 0; s < steps; s++)
        {
            p[0].Grad = inputs[$"g{s}_0"].Clone();
            p[1].Grad = inputs[$"g{s}_1"].Clone();
            var norm = GradientClipping.ClipGradNorm(p, 3.0);
            Assert.Equal(reference.Load($"norm{s}").Item(), norm, 4);
            optimizer.Step();
        }
        TensorAssert.Close(reference.Load("p0"), p[0], what: "p0");
        TensorAssert.Close(reference.Load("p1"), p[1], what: "p1");

        // state round trip: a restored optimiser continues exactly like the original
        var statePath = Path.Combine(directory, "adamw.safetensors");
        optimizer.Save(statePath);
        var q = new[] { p[0].Clone().Detach().RequiresGrad_(), p[1].Clone().Detach().RequiresGrad_() };
        using var restored = new AdamW(q, optimizer.Options);
        restored.Load(statePath);
        foreach (var (opt, ps) in new[] { (optimizer, p), (restored, q) })
        {
            ps[0].Grad = inputs["g0_0"];
            ps[1].Grad = inputs["g0_1"];
            opt.Step();
        }
        TensorAssert.Close(p[0], q[0], 0, 0, "restored p0");
        TensorAssert.Close(p[1], q[1], 0, 0, "restored p1");
    }

    [Fact]
    public void Gradient_accumulation_equals_one_large_batch()
    {
        using var scope = new DisposeScope();
        var w = Tensor.Randn([3]).RequiresGrad_();
        var x = Tensor.Randn([4, 3]);
        (x.MatMul(w)).Square().Mean().Backward();
        var full = w.Grad!.ToArray<float>();
        w.Grad = null;
        var accumulator = new GradientAccumulator(2);
        Assert.False(accumulator.Backward(x.Narrow(0, 0, 2).MatMul(w).Square().Mean()));
        Assert.True(accumulator.Backward(x.Narrow(0, 2, 2).MatMul(w).Square().Mean()));
        var accumulated = w.Grad!.ToArray<float>();
        for (var k = 0; k < 3; k++) Assert.True(Math.Abs(full[k] - accumulated[k]) <= 1e-5 * (1 + Math.Abs(full[k])), $"{k}: {full[k]} vs {accumulated[k]}");
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(5, 0.5)]
    [InlineData(10, 1.0)]
    [InlineData(55, 0.5)]
    [InlineData(100, 0.0)]
    public void Linear_schedule(long step, double expected) => Assert.Equal(expected, new LinearSchedule(10, 100).Factor(step), 12);

    [Fact]
    public void Cosine_schedules_and_constant()
    {
        var cosine = new CosineSchedule(10, 110);
        Assert.Equal(0.5, cosine.Factor(5), 12);
        Assert.Equal(1.0, cosine.Factor(10), 12);
        Assert.Equal(0.5, cosine.Factor(60), 12);
        Assert.Equal(0.0, cosine.Factor(110), 12);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 0.25)), cosine.Factor(35), 12);
        var restarts = new CosineWithRestartsSchedule(0, 100, Cycles: 2);
        Assert.Equal(1.0, restarts.Factor(0), 12);
        Assert.Equal(0.5, restarts.Factor(25), 12);
        Assert.Equal(1.0, restarts.Factor(50), 12);
        Assert.Equal(0.0, restarts.Factor(100), 12);
        Assert.Equal(0.3, new ConstantSchedule(10).Factor(3), 12);
        Assert.Equal(1.0, new ConstantSchedule(10).Factor(1000), 12);

        using var optimizer = new AdamW([], new AdamWOptions(LearningRate: 2.0));
        cosine.Apply(optimizer, 60);
        Assert.Equal(1.0, optimizer.LearningRate, 12);
    }
}
