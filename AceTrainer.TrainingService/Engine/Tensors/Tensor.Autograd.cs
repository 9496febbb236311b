using AceTrainer.Engine.Dispatch;
using AceTrainer.Engine.Native;

namespace AceTrainer.Engine;

public sealed partial class Tensor
{
    public bool RequiresGrad
    {
        get => NativeMethods.ace_tensor_requires_grad(Handle) != 0;
        set => NativeMethods.Check(NativeMethods.ace_tensor_set_requires_grad(Handle, value ? 1 : 0), "requires_grad");
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (like <c>requires_grad_()</c>).</summary>
    public Tensor RequiresGrad_(bool requires = true)
    {
        RequiresGrad = requires;
        return this;
    }

    public bool IsLeaf => NativeMethods.ace_tensor_is_leaf(Handle) != 0;

    /// <summary>The accumulated gradient as a new handle (owned by the current scope), or null.</summary>
    public Tensor? Grad
    {
        get
        {
            var grad = NativeMethods.ace_tensor_grad(Handle);
            return grad == IntPtr.Zero ? null : new Tensor(grad);
        }
        set => NativeMethods.Check(NativeMethods.ace_tensor_set_grad(Handle, value?.Handle ?? IntPtr.Zero), "set grad");
    }

    /// <summary>Back-propagates from this tensor; <paramref name="gradient"/> defaults to ones for a scalar.</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        NativeMethods.Check(
            NativeMethods.ace_backward(Handle, gradient?.Handle ?? IntPtr.Zero, retainGraph ? 1 : 0, createGraph ? 1 : 0),
            "backward");

    public Tensor Detach() => Op.Get("aten::detach").Invoke(this);
}

/// <summary>Disables gradient recording on this thread until disposed (like <c>torch.no_grad()</c>).</summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool previous;

    private NoGradScope(bool enabled)
    {
        previous = NativeMethods.ace_grad_enabled() != 0;
        NativeMethods.ace_set_grad_enabled(enabled ? 1 : 0);
    }

    public static bool IsGradEnabled => NativeMethods.ace_grad_enabled() != 0;

    internal static NoGradScope Set(bool enabled) => new(enabled);

    public void Dispose() => NativeMethods.ace_set_grad_enabled(previous ? 1 : 0);
}
