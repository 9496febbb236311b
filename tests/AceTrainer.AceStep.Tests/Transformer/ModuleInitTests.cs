using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Tests.Transformer;

/// <summary>The engine additions the transformer relies on: construction scopes and the rectangular Conv2d.</summary>
public sealed class ModuleInitTests
{
    [Fact]
    public void ScopeAllocatesOnItsDeviceAndDTypeAndEndsCleanly()
    {
        using (ModuleInit.On(Device.Cpu, DType.BFloat16))
        {
            using var layer = new Linear(4, 3);
            Assert.Equal(DType.BFloat16, layer.weight.DType);
            Assert.True(layer.weight.RequiresGrad);
            using (ModuleInit.On(Device.Meta))
            {
                using var embedding = new Embedding(10, 4);
                Assert.Equal(DeviceType.Meta, embedding.weight.Device.Type);
            }
            Assert.Equal(DType.BFloat16, ModuleInit.Current!.DType);
        }
        Assert.Null(ModuleInit.Current);
        Torch.ManualSeed(3);
        using var initialised = new Linear(4, 3);
        Assert.Equal(DType.Float32, initialised.weight.DType);
        Assert.True(initialised.weight.Abs().Max().Item() is > 0 and <= 0.5);
    }

    [Fact]
    public void RectangularConv2dUsesPerDirectionKernelAndStride()
    {
        using var scope = new DisposeScope();
        using var conv = new Conv2d(2, 3, (4, 1), (4, 1));
        Assert.Equal([3L, 2, 4, 1], conv.weight.Shape);
        var input = Tensor.Randn([1, 2, 8, 5]);
        var output = conv.Forward(input);
        Assert.Equal([1L, 3, 2, 5], output.Shape);
        // output (row 1, column 2) = Σ over channels and kernel rows 4..7 of column 2
        var window = input.Slice(2, 4, 8).Slice(3, 2, 3);
        var expected = (window.Squeeze(-1) * conv.weight.Squeeze(-1)).Sum([1L, 2L]) + conv.bias!;
        Assert.True(TinyTransformer.MaxAbsDifference(expected.Squeeze(0), output.Select(2, 1).Select(2, 2).Squeeze(0)) < 1e-5);
    }

    [Fact]
    public void PaddedLatentFramesStayFinite()
    {
        using var scope = new DisposeScope();
        using var model = TinyTransformer.Create();
        model.Eval();
        var inputs = TinyTransformer.Inputs(model.Config);
        var mask = Tensor.From(new float[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, 2, TinyTransformer.Frames);
        var output = model.Forward(inputs with { AttentionMask = mask });
        Assert.Equal(0.0, Engine.Dispatch.Op.Get("aten::isfinite").Invoke(output).LogicalNot().Sum().Item());
    }
}
