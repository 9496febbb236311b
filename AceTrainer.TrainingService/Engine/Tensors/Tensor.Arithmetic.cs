using AceTrainer.Engine.Dispatch;

namespace AceTrainer.Engine;

public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => Op.Get("aten::add", "Tensor").Invoke(a, b);
    public static Tensor operator +(Tensor a, double b) => Op.Get("aten::add", "Scalar").Invoke(a, b);
    public static Tensor operator +(double a, Tensor b) => b + a;
    public static Tensor operator -(Tensor a, Tensor b) => Op.Get("aten::sub", "Tensor").Invoke(a, b);
    public static Tensor operator -(Tensor a, double b) => Op.Get("aten::sub", "Scalar").Invoke(a, b);
    public static Tensor operator -(double a, Tensor b) => Op.Get("aten::rsub", "Scalar").Invoke(b, a);
    public static Tensor operator -(Tensor a) => Op.Get("aten::neg").Invoke(a);
    public static Tensor operator *(Tensor a, Tensor b) => Op.Get("aten::mul", "Tensor").Invoke(a, b);
    public static Tensor operator *(Tensor a, double b) => Op.Get("aten::mul", "Scalar").Invoke(a, b);
    public static Tensor operator *(double a, Tensor b) => b * a;
    public static Tensor operator /(Tensor a, Tensor b) => Op.Get("aten::div", "Tensor").Invoke(a, b);
    public static Tensor operator /(Tensor a, double b) => Op.Get("aten::div", "Scalar").Invoke(a, b);
    public static Tensor operator /(double a, Tensor b) => Op.Get("aten::reciprocal").Invoke(b) * a;

    public Tensor Pow(double exponent) => Op.Get("aten::pow", "Tensor_Scalar").Invoke(this, exponent);
    public Tensor Sqrt() => Unary("aten::sqrt");
    public Tensor Rsqrt() => Unary("aten::rsqrt");
    public Tensor Exp() => Unary("aten::exp");
    public Tensor Log() => Unary("aten::log");
    public Tensor Abs() => Unary("aten::abs");
    public Tensor Cos() => Unary("aten::cos");
    public Tensor Sin() => Unary("aten::sin");
    public Tensor Tanh() => Unary("aten::tanh");
    public Tensor Sigmoid() => Unary("aten::sigmoid");
    public Tensor Square() => this * this;
    public Tensor Clamp(double? min, double? max) => Op.Get("aten::clamp").Invoke(this, min, max);

    public Tensor MatMul(Tensor other) => Op.Get("aten::matmul").Invoke(this, other);

    public Tensor Eq(Tensor other) => Op.Get("aten::eq", "Tensor").Invoke(this, other);
    public Tensor Eq(double other) => Op.Get("aten::eq", "Scalar").Invoke(this, other);
    public Tensor Gt(double other) => Op.Get("aten::gt", "Scalar").Invoke(this, other);
    public Tensor Lt(double other) => Op.Get("aten::lt", "Scalar").Invoke(this, other);
    public Tensor Ge(double other) => Op.Get("aten::ge", "Scalar").Invoke(this, other);
    public Tensor Le(double other) => Op.Get("aten::le", "Scalar").Invoke(this, other);
    public Tensor LogicalNot() => Unary("aten::logical_not");

    /// <summary>Elementwise <c>condition ? this : other</c>.</summary>
    public Tensor Where(Tensor condition, Tensor other) => Op.Get("aten::where", "self").Invoke(condition, this, other);

    /// <summary>Replaces elements where <paramref name="mask"/> is true by <paramref name="value"/>.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Op.Get("aten::masked_fill", "Scalar").Invoke(this, mask, value);

    public Tensor Tril(long diagonal = 0) => Op.Get("aten::tril").Invoke(this, diagonal);
    public Tensor Triu(long diagonal = 0) => Op.Get("aten::triu").Invoke(this, diagonal);

    // In-place operations (used by optimisers; they do not record autograd history when run under NoGrad).
    public Tensor Add_(Tensor other, double alpha = 1) { Op.Get("aten::add_", "Tensor").InvokeInPlace(this, other, alpha); return this; }
    public Tensor Mul_(double factor) { Op.Get("aten::mul_", "Scalar").InvokeInPlace(this, factor); return this; }
    public Tensor Mul_(Tensor factor) { Op.Get("aten::mul_", "Tensor").InvokeInPlace(this, factor); return this; }
    public Tensor Div_(Tensor divisor) { Op.Get("aten::div_", "Tensor").InvokeInPlace(this, divisor); return this; }
    public Tensor AddScalar_(double value) { Op.Get("aten::add_", "Scalar").InvokeInPlace(this, value); return this; }
    public Tensor Lerp_(Tensor end, double weight) { Op.Get("aten::lerp_", "Scalar").InvokeInPlace(this, end, weight); return this; }
    public Tensor AddCMul_(Tensor a, Tensor b, double value) { Op.Get("aten::addcmul_").InvokeInPlace(this, a, b, value); return this; }
    public Tensor AddCDiv_(Tensor a, Tensor b, double value) { Op.Get("aten::addcdiv_").InvokeInPlace(this, a, b, value); return this; }
    public Tensor Copy_(Tensor source) { Op.Get("aten::copy_").InvokeInPlace(this, source); return this; }
    public Tensor Zero_() { Op.Get("aten::zero_").InvokeInPlace(this); return this; }
    public Tensor Fill_(double value) { Op.Get("aten::fill_", "Scalar").InvokeInPlace(this, value); return this; }
    public Tensor Normal_(double mean = 0, double std = 1) { Op.Get("aten::normal_").InvokeInPlace(this, mean, std); return this; }
    public Tensor Uniform_(double from, double to) { Op.Get("aten::uniform_").InvokeInPlace(this, from, to); return this; }

    private Tensor Unary(string name) => Op.Get(name).Invoke(this);
}
