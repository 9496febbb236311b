using AceTrainer.Engine;

namespace AceTrainer.AceStep.Transformer;

/// <summary>
/// Rotary position tables as upstream builds them (Qwen2 style: cos/sin of [S, head_dim] whose two halves
/// repeat the frequencies), and their application, which upstream does on interleaved pairs
/// (x0, x1) → (-x1, x0). The mismatch of the two conventions is upstream's and is kept on purpose.
/// </summary>
public sealed record RotaryTables(Tensor Cos, Tensor Sin) : IDisposable
{
    /// <summary>Tables for positions 0..length-1, computed in float32 and cast to <paramref name="dtype"/>.</summary>
    public static RotaryTables Create(long length, long headDim, double theta, Device device, DType dtype)
    {
        using var scope = new DisposeScope();
        var exponents = Tensor.Arange(0, headDim, 2, DType.Float32, device) / headDim;
        var powers = Engine.Dispatch.Op.Get("aten::pow", "Scalar").Invoke(theta, exponents);
        var inverseFrequency = 1.0 / powers;
        var positions = Tensor.Arange(0, length, 1, DType.Float32, device);
        var angles = positions.Unsqueeze(1) * inverseFrequency.Unsqueeze(0);
        var both = Tensor.Cat([angles, angles], -1);
        var cos = both.Cos().To(dtype).DetachFromDisposeScope();
        var sin = both.Sin().To(dtype).DetachFromDisposeScope();
        return new RotaryTables(cos, sin);
    }

    /// <summary>x [B, H, S, D] → rotated x in x's dtype (computed in float32, or float64 for float64 input).</summary>
    public Tensor Apply(Tensor x)
    {
        using var scope = new DisposeScope();
        var shape = x.Shape;
        var pairs = x.Reshape([.. shape[..^1], shape[^1] / 2, 2]);
        var real = pairs.Select(-1, 0);
        var imaginary = pairs.Select(-1, 1);
        var rotated = Tensor.Stack([-imaginary, real], -1).Flatten(3);
        var compute = ComputeType(x.DType);
        var result = x.To(compute) * Cos + rotated.To(compute) * Sin;
        return result.To(x.DType).MoveToOuterScope();
    }

    /// <summary>Upstream upcasts with <c>.float()</c>; float64 stays float64 so gradient checks keep their precision.</summary>
    internal static DType ComputeType(DType dtype) => dtype == DType.Float64 ? DType.Float64 : DType.Float32;

    public void Dispose()
    {
        Cos.Dispose();
        Sin.Dispose();
    }
}
