using AceTrainer.Engine.Dispatch;
using AceTrainer.Engine.Native;

namespace AceTrainer.Engine;

/// <summary>
/// A libtorch tensor. Owns one native handle; <see cref="Dispose"/> releases it at once, a
/// surrounding <see cref="DisposeScope"/> releases it at scope end, the finalizer as a last resort.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private TensorHandle handle;

    internal Tensor(IntPtr pointer)
    {
        handle = new TensorHandle(pointer);
        DisposeScope.Current?.Register(this);
    }

    internal DisposeScope? Scope { get; set; }

    /// <summary>Native tensors alive in this process (all handles not yet released).</summary>
    public static long LiveNativeTensors => NativeMethods.ace_live_tensors();

    internal IntPtr Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(handle.IsClosed, this);
            return handle.DangerousGetHandle();
        }
    }

    public bool IsDisposed => handle.IsClosed;

    public void Dispose() => handle.Dispose();

    /// <summary>Moves this tensor to the enclosing dispose scope (or out of all scopes).</summary>
    public Tensor MoveToOuterScope() => Scope is { } scope ? scope.MoveOut(this) : this;

    /// <summary>Takes this tensor out of every dispose scope; the caller owns it.</summary>
    public Tensor DetachFromDisposeScope() => DisposeScope.Detach(this);

    /// <summary>Points this object at another tensor's data (like <c>param.data = other</c>) and releases the old one.</summary>
    internal void ReplaceWith(Tensor source)
    {
        var replacement = new TensorHandle(NativeMethods.ace_tensor_alias(source.Handle));
        var old = handle;
        handle = replacement;
        old.Dispose();
    }

    public int Dim => NativeMethods.ace_tensor_dim(Handle);

    public unsafe long[] Shape
    {
        get
        {
            var shape = new long[Dim];
            fixed (long* p = shape) NativeMethods.ace_tensor_sizes(Handle, p);
            return shape;
        }
    }

    public unsafe long[] Strides
    {
        get
        {
            var strides = new long[Dim];
            fixed (long* p = strides) NativeMethods.ace_tensor_strides(Handle, p);
            return strides;
        }
    }

    public long Size(int dim) => Shape[dim < 0 ? dim + Dim : dim];

    public long Numel => NativeMethods.ace_tensor_numel(Handle);

    public DType DType => (DType)NativeMethods.ace_tensor_dtype(Handle);

    public unsafe Device Device
    {
        get
        {
            int type, index;
            NativeMethods.ace_tensor_device(Handle, &type, &index);
            return new Device((DeviceType)type, index);
        }
    }

    public bool IsContiguous => NativeMethods.ace_tensor_is_contiguous(Handle) != 0;

    /// <summary>Address of the first element (CPU or device memory).</summary>
    public IntPtr DataPointer => NativeMethods.ace_tensor_data_ptr(Handle);

    /// <summary>Copies the elements to a new array (any device, any layout).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[Numel];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements into <paramref name="destination"/> in row-major order.</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        if (System.Runtime.CompilerServices.Unsafe.SizeOf<T>() != DType.ElementSize())
            throw new ArgumentException($"element type {typeof(T).Name} does not match {DType}");
        CopyBytesTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination));
    }

    /// <summary>Copies the raw element bytes (row-major, little-endian) into <paramref name="destination"/>.</summary>
    public unsafe void CopyBytesTo(Span<byte> destination)
    {
        if (destination.Length != Numel * DType.ElementSize())
            throw new ArgumentException($"destination holds {destination.Length} bytes, tensor {Numel * DType.ElementSize()}");
        using var onCpu = Device.Type == DeviceType.Cpu ? Alias() : To(Device.Cpu);
        using var host = onCpu.Contiguous();
        fixed (byte* p = destination)
            NativeMethods.Check(NativeMethods.ace_tensor_copy_to_host(host.Handle, p, destination.Length), "copy to host");
    }

    /// <summary>The single element as a double (synchronises with the device).</summary>
    public double Item() => Op.Get("aten::_local_scalar_dense").InvokeScalar(this);

    /// <summary>A second handle to the same tensor, owned by the current scope.</summary>
    public Tensor Alias() => new(NativeMethods.ace_tensor_alias(Handle));

    public override string ToString() => $"Tensor[{string.Join(", ", Shape)}] {DType} {Device}";
}
