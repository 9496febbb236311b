using AceTrainer.Engine.Dispatch;

namespace AceTrainer.Engine;

public sealed partial class Tensor
{
    public Tensor Sum() => Op.Get("aten::sum").Invoke(this);
    public Tensor Sum(long[] dims, bool keepDim = false) => Op.Get("aten::sum", "dim_IntList").Invoke(this, dims, keepDim);
    public Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);
    public Tensor Mean() => Op.Get("aten::mean").Invoke(this);
    public Tensor Mean(long[] dims, bool keepDim = false) => Op.Get("aten::mean", "dim").Invoke(this, dims, keepDim);
    public Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);
    public Tensor Max() => Op.Get("aten::max").Invoke(this);

    /// <summary>Maximum along a dimension: (values, indices).</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false)
    {
        var result = Op.Get("aten::max", "dim").InvokeMany(this, dim, keepDim);
        return (result[0], result[1]);
    }

    public Tensor Min() => Op.Get("aten::min").Invoke(this);
    public Tensor ArgMax(long dim, bool keepDim = false) => Op.Get("aten::argmax").Invoke(this, dim, keepDim);
    public Tensor Norm(double p = 2) => Op.Get("aten::linalg_vector_norm").Invoke(this, p);
    public Tensor Var(long dim, bool unbiased = true, bool keepDim = false) =>
        Op.Get("aten::var", "dim").Invoke(this, new long[] { dim }, unbiased, keepDim);
}
