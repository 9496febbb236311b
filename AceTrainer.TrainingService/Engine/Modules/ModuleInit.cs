namespace AceTrainer.Engine.Modules;

/// <summary>
/// Ambient construction settings for modules built on this thread: while a scope is active, every
/// parameter and buffer the engine's layers create is allocated uninitialised on the scope's device
/// (floating-point ones in the scope's dtype) instead of being randomly initialised on the CPU.
/// <c>using (ModuleInit.On(Device.Meta)) new Model(config)</c> builds a full-size model without memory;
/// <c>ModuleInit.On(Device.Cuda(), DType.BFloat16)</c> allocates once on the target before loading weights.
/// </summary>
public sealed class ModuleInit : IDisposable
{
    [ThreadStatic] private static ModuleInit? current;

    private readonly ModuleInit? outer;
    private bool disposed;

    private ModuleInit(Device device, DType? dtype)
    {
        (Device, DType, outer) = (device, dtype, current);
        current = this;
    }

    /// <summary>Starts a scope; dispose it to restore the previous behaviour.</summary>
    public static ModuleInit On(Device device, DType? dtype = null) => new(device, dtype);

    /// <summary>The innermost active scope on this thread, if any.</summary>
    public static ModuleInit? Current => current;

    public Device Device { get; }

    /// <summary>The dtype for floating-point tensors (null keeps each tensor's own).</summary>
    public DType? DType { get; }

    /// <summary>
    /// The initial value of a module's tensor: without a scope, what <paramref name="initialise"/> returns;
    /// inside one, an uninitialised tensor of that shape on the scope's device and dtype.
    /// </summary>
    public static Tensor Create(long[] shape, Func<Tensor> initialise, DType dtype = Engine.DType.Float32)
    {
        if (current is null) return initialise();
        var target = current.DType is { } d && dtype.IsFloatingPoint() ? d : dtype;
        return Tensor.Empty(shape, target, current.Device);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (current == this) current = outer;
    }
}
