using AceTrainer.Engine.Native;

namespace AceTrainer.Engine;

/// <summary>Process-wide libtorch settings and queries.</summary>
public static class Torch
{
    /// <summary>Disables autograd recording until the returned scope is disposed.</summary>
    public static NoGradScope NoGrad() => NoGradScope.Set(false);

    /// <summary>Enables autograd recording until the returned scope is disposed.</summary>
    public static NoGradScope EnableGrad() => NoGradScope.Set(true);

    /// <summary>Seeds every libtorch generator (CPU and CUDA).</summary>
    public static void ManualSeed(ulong seed) => NativeMethods.ace_manual_seed(seed);

    public static int NumThreads
    {
        get => NativeMethods.ace_get_num_threads();
        set => NativeMethods.ace_set_num_threads(value);
    }

    public static bool CudaIsAvailable => NativeMethods.ace_cuda_is_available() != 0;

    public static int CudaDeviceCount => NativeMethods.ace_cuda_device_count();

    /// <summary>CUDA caching-allocator statistics; throws when the shim was built without CUDA.</summary>
    public static unsafe CudaMemoryStats CudaMemory(int device = 0)
    {
        var stats = stackalloc long[4];
        NativeMethods.Check(NativeMethods.ace_cuda_memory_stats(device, stats), "cuda memory stats");
        return new CudaMemoryStats(stats[0], stats[1], stats[2], stats[3]);
    }
}

public sealed record CudaMemoryStats(long AllocatedBytes, long PeakAllocatedBytes, long ReservedBytes, long PeakReservedBytes);
