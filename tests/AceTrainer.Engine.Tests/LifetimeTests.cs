using System.Diagnostics;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.Optim;

namespace AceTrainer.Engine.Tests;

public class LifetimeTests
{
    [Fact]
    public void Dispose_scope_frees_temporaries_even_when_an_operator_throws()
    {
        var before = Tensor.LiveNativeTensors;
        Assert.Throws<TorchException>(() =>
        {
            using var scope = new DisposeScope();
            var a = Tensor.Randn([2, 3]);
            var b = a * 2 + 1;
            Assert.Equal(before + 3, Tensor.LiveNativeTensors);
            b.MatMul(Tensor.Randn([4, 4]));
        });
        Assert.Equal(before, Tensor.LiveNativeTensors);
    }

    [Fact]
    public void Moved_out_tensor_survives_its_scope_and_nested_scopes_unwind()
    {
        var before = Tensor.LiveNativeTensors;
        Tensor kept;
        using (var outer = new DisposeScope())
        {
            using (var inner = new DisposeScope())
            {
                var t = Tensor.Ones([3]) * 5;
                kept = inner.MoveOut(t);
                Assert.Equal(1, outer.Count);
            }
            Assert.False(kept.IsDisposed);
            Assert.Equal(new float[] { 5, 5, 5 }, kept.ToArray<float>());
            kept.DetachFromDisposeScope();
        }
        Assert.False(kept.IsDisposed);
        Assert.Equal(before + 1, Tensor.LiveNativeTensors);
        kept.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kept.Shape);
        Assert.Equal(before, Tensor.LiveNativeTensors);
    }

    [Fact]
    public void Checkpoint_callback_errors_surface_without_leaks()
    {
        var before = Tensor.LiveNativeTensors;
        using (var scope = new DisposeScope())
        {
            var x = Tensor.Randn([2, 2]).RequiresGrad_();
            var error = Assert.Throws<TorchException>(() => Checkpoint.Run(_ => throw new InvalidOperationException("block exploded"), x));
            Assert.Contains("block exploded", error.Message);
        }
        Assert.Equal(0, Checkpoint.Pending);
        Assert.Equal(before, Tensor.LiveNativeTensors);
    }

    [Fact]
    public void Ten_thousand_training_steps_keep_memory_flat()
    {
        Torch.ManualSeed(1);
        using var model = new Sequential(new Linear(32, 64), new Gelu(), new LayerNorm(64), new Linear(64, 32));
        using var optimizer = new AdamW(model.Parameters(), new AdamWOptions(LearningRate: 1e-3));
        var schedule = new CosineSchedule(100, 10_000);
        using var x = Tensor.Randn([16, 32]).DetachFromDisposeScope();
        using var y = Tensor.Randn([16, 32]).DetachFromDisposeScope();
        var process = Process.GetCurrentProcess();
        long liveAfterWarmup = 0, rssAfterWarmup = 0;
        double firstLoss = 0, lastLoss = 0;
        for (var step = 0; step < 10_000; step++)
        {
            using (var scope = new DisposeScope())
            {
                var loss = Functional.MseLoss(model.Forward(x), y);
                loss.Backward();
                GradientClipping.ClipGradNorm(model.Parameters(), 1.0);
                schedule.Apply(optimizer, step);
                optimizer.Step();
                optimizer.ZeroGrad();
                if (step == 0) firstLoss = loss.Item();
                if (step == 9_999) lastLoss = loss.Item();
            }
            // collect regularly so the managed heap's own growth policy does not hide or fake a native leak
            if (step % 1000 == 0) GC.Collect();
            if (step == 1_000)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                process.Refresh();
                (liveAfterWarmup, rssAfterWarmup) = (Tensor.LiveNativeTensors, process.WorkingSet64);
            }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        process.Refresh();
        var growth = process.WorkingSet64 - rssAfterWarmup;
        Assert.Equal(liveAfterWarmup, Tensor.LiveNativeTensors);
        Assert.True(growth < 16 << 20, $"RSS grew by {growth / (1 << 20)} MiB over 9,000 steps");
        Assert.True(lastLoss < firstLoss * 0.5, $"loss did not fall: {firstLoss} -> {lastLoss}");
    }
}
