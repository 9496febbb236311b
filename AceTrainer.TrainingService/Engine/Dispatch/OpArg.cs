using AceTrainer.Engine.Native;

namespace AceTrainer.Engine.Dispatch;

/// <summary>
/// One argument of a dispatcher call. Implicit conversions make call sites read like the schema:
/// <c>Op.Get("aten::add", "Tensor").Invoke(a, b, 1.0)</c>.
/// </summary>
public readonly struct OpArg
{
    internal readonly ArgTag Tag;
    internal readonly long Int;
    internal readonly double Double;
    internal readonly object? Reference;

    private OpArg(ArgTag tag, long integer = 0, double real = 0, object? reference = null)
    {
        Tag = tag;
        Int = integer;
        Double = real;
        Reference = reference;
    }

    /// <summary>An optional argument left empty (None).</summary>
    public static OpArg None => new(ArgTag.None);

    /// <summary>Use the schema's default value at this position.</summary>
    public static OpArg Default => new(ArgTag.Default);

    public static OpArg List(params Tensor?[] tensors) => new(ArgTag.TensorList, reference: tensors);
    public static OpArg List(IReadOnlyList<Tensor> tensors) => new(ArgTag.TensorList, reference: tensors.ToArray());

    public static implicit operator OpArg(Tensor? tensor) => tensor is null ? None : new(ArgTag.Tensor, reference: tensor);
    public static implicit operator OpArg(Tensor[] tensors) => new(ArgTag.TensorList, reference: tensors);
    public static implicit operator OpArg(long value) => new(ArgTag.Int, value);
    public static implicit operator OpArg(int value) => new(ArgTag.Int, value);
    public static implicit operator OpArg(double value) => new(ArgTag.Double, real: value);
    public static implicit operator OpArg(bool value) => new(ArgTag.Bool, value ? 1 : 0);
    public static implicit operator OpArg(long[] values) => new(ArgTag.IntList, reference: values);
    public static implicit operator OpArg(double[] values) => new(ArgTag.DoubleList, reference: values);
    public static implicit operator OpArg(DType dtype) => new(ArgTag.ScalarType, (long)dtype);
    // the device index travels in the real slot and becomes AceArg.length when marshalled
    public static implicit operator OpArg(Device device) => new(ArgTag.Device, (long)device.Type, device.Index);
    public static implicit operator OpArg(string text) => new(ArgTag.String, reference: text);

    public static implicit operator OpArg(DType? dtype) => dtype is { } d ? d : None;
    public static implicit operator OpArg(Device? device) => device is { } d ? d : None;
    public static implicit operator OpArg(double? value) => value is { } v ? v : None;
    public static implicit operator OpArg(long? value) => value is { } v ? v : None;
}
