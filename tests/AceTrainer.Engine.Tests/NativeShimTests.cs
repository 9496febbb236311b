using AceTrainer.Engine.Dispatch;

namespace AceTrainer.Engine.Tests;

public class NativeShimTests
{
    [Fact]
    public void Dispatcher_call_adds_tensors()
    {
        using var scope = new DisposeScope();
        var a = Tensor.From(new float[] { 1, 2, 3 });
        var b = Tensor.From(new float[] { 10, 20, 30 });
        var c = Op.Get("aten::add", "Tensor").Invoke(a, b, 2.0);
        Assert.Equal(new float[] { 21, 42, 63 }, c.ToArray<float>());
        Assert.Equal(new long[] { 3 }, c.Shape);
        Assert.Equal(DType.Float32, c.DType);
        Assert.Equal(DeviceType.Cpu, c.Device.Type);
    }

    [Fact]
    public void Libtorch_errors_surface_as_exceptions_with_the_message()
    {
        using var scope = new DisposeScope();
        var a = Tensor.Zeros([2, 3]);
        var b = Tensor.Zeros([4, 5]);
        var error = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("aten::matmul", error.Message);
        Assert.Contains("cannot be multiplied", error.Message);
    }

    [Fact]
    public void Unknown_operator_is_detected_not_crashed()
    {
        Assert.Null(Op.Find("aten::no_such_operator"));
        Assert.NotNull(Op.Find("aten::add", "Tensor"));
        Assert.Throws<TorchException>(() => Op.Get("aten::no_such_operator"));
    }

    [Fact]
    public void Tuple_and_list_returns_are_flattened()
    {
        using var scope = new DisposeScope();
        var x = Tensor.Arange(0, 10, 1);
        var parts = x.Split(4);
        Assert.Equal(3, parts.Length);
        Assert.Equal(new float[] { 8, 9 }, parts[2].ToArray<float>());
        var m = Tensor.From(new float[] { 1, 5, 2, 7, 0, 3 }, 2, 3);
        var (values, indices) = m.Max(1);
        Assert.Equal(new float[] { 5, 7 }, values.ToArray<float>());
        Assert.Equal(new long[] { 1, 0 }, indices.ToArray<long>());
        Assert.Equal(7.0, m.Max().Item());
    }

    [Fact]
    public void Schema_defaults_fill_missing_arguments()
    {
        using var scope = new DisposeScope();
        var x = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2);
        Assert.Equal(10.0, Op.Get("aten::sum").Invoke(x).Item());
        Assert.Contains("aten::sum", Op.Get("aten::sum").Schema);
    }

    [Fact]
    public void Device_queries_and_cpu_only_memory_stats_fail_cleanly()
    {
        Assert.False(Torch.CudaIsAvailable);
        Assert.Equal(0, Torch.CudaDeviceCount);
        Assert.Contains("without CUDA", Assert.Throws<TorchException>(() => Torch.CudaMemory()).Message);
        using var scope = new DisposeScope();
        Assert.Throws<TorchException>(() => Tensor.Zeros([2], device: Device.Cuda()));
    }

    [Fact]
    public void No_grad_scope_stops_recording_and_restores()
    {
        using var scope = new DisposeScope();
        var w = Tensor.Ones([3]).RequiresGrad_();
        using (Torch.NoGrad())
        {
            Assert.False(NoGradScope.IsGradEnabled);
            Assert.False((w * 2).RequiresGrad);
        }
        Assert.True(NoGradScope.IsGradEnabled);
        var y = (w * w).Sum();
        Assert.True(y.RequiresGrad);
        y.Backward();
        Assert.Equal(new float[] { 2, 2, 2 }, w.Grad!.ToArray<float>());
    }

    [Fact]
    public void Manual_seed_makes_sampling_repeatable()
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed(42);
        var a = Tensor.Randn([5]).ToArray<float>();
        Torch.ManualSeed(42);
        Assert.Equal(a, Tensor.Randn([5]).ToArray<float>());
    }
}
