using AceTrainer.Engine.Dispatch;

namespace AceTrainer.Engine;

public sealed partial class Tensor
{
    public Tensor View(params long[] shape) => Op.Get("aten::view").Invoke(this, shape);
    public Tensor Reshape(params long[] shape) => Op.Get("aten::reshape").Invoke(this, shape);
    public Tensor Permute(params long[] dims) => Op.Get("aten::permute").Invoke(this, dims);
    public Tensor Transpose(long dim0, long dim1) => Op.Get("aten::transpose", "int").Invoke(this, dim0, dim1);
    public Tensor T() => Transpose(-2, -1);
    public Tensor Contiguous() => Op.Get("aten::contiguous").Invoke(this);
    public Tensor Unsqueeze(long dim) => Op.Get("aten::unsqueeze").Invoke(this, dim);
    public Tensor Squeeze(long dim) => Op.Get("aten::squeeze", "dim").Invoke(this, dim);
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Op.Get("aten::flatten", "using_ints").Invoke(this, startDim, endDim);
    public Tensor Expand(params long[] shape) => Op.Get("aten::expand").Invoke(this, shape);
    public Tensor Narrow(long dim, long start, long length) => Op.Get("aten::narrow").Invoke(this, dim, start, length);
    public Tensor Slice(long dim, long? start, long? end, long step = 1) => Op.Get("aten::slice", "Tensor").Invoke(this, dim, start, end, step);
    public Tensor Select(long dim, long index) => Op.Get("aten::select", "int").Invoke(this, dim, index);
    public Tensor IndexSelect(long dim, Tensor index) => Op.Get("aten::index_select").Invoke(this, dim, index);
    public Tensor Repeat(params long[] repeats) => Op.Get("aten::repeat").Invoke(this, repeats);

    /// <summary>Splits into pieces of <paramref name="splitSize"/> along <paramref name="dim"/> (the last may be smaller).</summary>
    public Tensor[] Split(long splitSize, long dim = 0) => Op.Get("aten::split", "Tensor").InvokeMany(this, splitSize, dim);

    public Tensor[] Split(long[] sizes, long dim = 0) => Op.Get("aten::split_with_sizes").InvokeMany(this, sizes, dim);

    public Tensor[] Chunk(long chunks, long dim = 0) => Op.Get("aten::chunk").InvokeMany(this, chunks, dim);

    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Op.Get("aten::cat").Invoke(OpArg.List(tensors), dim);

    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Op.Get("aten::stack").Invoke(OpArg.List(tensors), dim);

    /// <summary>Converts dtype and/or device; returns an alias when nothing changes (like <c>Tensor.to</c>).</summary>
    public Tensor To(Device? device = null, DType? dtype = null, bool copy = false) =>
        Op.Get("aten::to", "dtype_layout").Invoke(this, dtype, OpArg.None, device, OpArg.None, false, copy);

    public Tensor To(DType dtype) => To(null, dtype);

    public Tensor Clone() => Op.Get("aten::clone").Invoke(this);
}
