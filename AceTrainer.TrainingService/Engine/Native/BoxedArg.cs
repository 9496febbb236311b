using System.Runtime.InteropServices;

namespace AceTrainer.Engine.Native;

/// <summary>Tag of a boxed operator argument or result; values equal AceTag in shim.h.</summary>
internal enum ArgTag
{
    Tensor = 0,
    TensorList = 1,
    Double = 2,
    Int = 3,
    Bool = 4,
    IntList = 5,
    DoubleList = 6,
    None = 7,
    ScalarType = 8,
    Device = 9,
    String = 10,
    Default = 11,
}

/// <summary>Blittable mirror of AceArg (24 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct BoxedArg
{
    [FieldOffset(0)] public ArgTag Tag;
    [FieldOffset(4)] public int Length;
    [FieldOffset(8)] public IntPtr Pointer;
    [FieldOffset(8)] public double Double;
    [FieldOffset(8)] public long Int;
    [FieldOffset(16)] public long OutputIndex;
}
