using System.Runtime.InteropServices;
using AceTrainer.Engine.Native;

namespace AceTrainer.Engine;

/// <summary>Owns one native at::Tensor* and frees it exactly once.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle(IntPtr pointer) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.ace_tensor_free(handle);
        return true;
    }
}
