using AceTrainer.Engine.Dispatch;
using AceTrainer.Engine.Native;

namespace AceTrainer.Engine;

public sealed partial class Tensor
{
    public static Tensor Zeros(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Op.Get("aten::zeros").Invoke(shape, dtype, OpArg.None, device);

    /// <summary>An uninitialised tensor (its memory holds whatever was there; on the meta device, nothing).</summary>
    public static Tensor Empty(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Op.Get("aten::empty", "memory_format").Invoke(shape, dtype, OpArg.None, device);

    public static Tensor Ones(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Op.Get("aten::ones").Invoke(shape, dtype, OpArg.None, device);

    public static Tensor Full(long[] shape, double value, DType dtype = DType.Float32, Device? device = null) =>
        Op.Get("aten::full").Invoke(shape, value, dtype, OpArg.None, device);

    /// <summary>Uniform samples in [0, 1).</summary>
    public static Tensor Rand(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Op.Get("aten::rand").Invoke(shape, dtype, OpArg.None, device);

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(long[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Op.Get("aten::randn").Invoke(shape, dtype, OpArg.None, device);

    /// <summary>Integers uniformly drawn from [low, high).</summary>
    public static Tensor RandInt(long low, long high, long[] shape, Device? device = null) =>
        Op.Get("aten::randint", "low").Invoke(low, high, shape, DType.Int64, OpArg.None, device);

    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32, Device? device = null) =>
        Op.Get("aten::arange", "start_step").Invoke(start, end, step, dtype, OpArg.None, device);

    public static Tensor Arange(long end, DType dtype = DType.Int64, Device? device = null) =>
        Op.Get("aten::arange", "start_step").Invoke(0L, end, 1L, dtype, OpArg.None, device);

    public static Tensor ZerosLike(Tensor like) => Op.Get("aten::zeros_like").Invoke(like);

    public static Tensor OnesLike(Tensor like) => Op.Get("aten::ones_like").Invoke(like);

    public static Tensor RandnLike(Tensor like) => Op.Get("aten::randn_like").Invoke(like);

    /// <summary>A 0-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) =>
        Full([], value, dtype, device);

    /// <summary>Copies host data into a new tensor; the dtype follows <typeparamref name="T"/>.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, params long[] shape) where T : unmanaged =>
        FromBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), DTypeOf<T>(), shape);

    public static Tensor From<T>(T[] data, params long[] shape) where T : unmanaged =>
        From((ReadOnlySpan<T>)data, shape.Length == 0 ? [data.LongLength] : shape);

    /// <summary>Copies raw little-endian element bytes (any dtype, e.g. bfloat16) into a new CPU tensor.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, long[] shape)
    {
        IntPtr result;
        fixed (byte* source = bytes)
        fixed (long* dims = shape)
        {
            NativeMethods.Check(
                NativeMethods.ace_tensor_from_host(source, bytes.Length, (int)dtype, dims, shape.Length, &result),
                "tensor from host");
        }
        return new Tensor(result);
    }

    internal static DType DTypeOf<T>() where T : unmanaged => default(T) switch
    {
        float => DType.Float32,
        double => DType.Float64,
        Half => DType.Float16,
        long => DType.Int64,
        int => DType.Int32,
        short => DType.Int16,
        byte => DType.UInt8,
        sbyte => DType.Int8,
        bool => DType.Bool,
        _ => throw new NotSupportedException($"no dtype for {typeof(T).Name}; use FromBytes"),
    };
}
