using System.Runtime.InteropServices;

namespace AceTrainer.Engine.Native;

/// <summary>P/Invoke surface of libacetorch (native/src/shim.h). Handles are raw at::Tensor*.</summary>
internal static unsafe partial class NativeMethods
{
    private const string Library = "acetorch";

    [LibraryImport(Library)] internal static partial byte* ace_last_error();
    [LibraryImport(Library)] internal static partial long ace_live_tensors();
    [LibraryImport(Library)] internal static partial void ace_tensor_free(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr ace_tensor_alias(IntPtr tensor);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr ace_op_find(string name, string overload);
    [LibraryImport(Library)] internal static partial int ace_op_schema(IntPtr op, byte* buffer, int capacity);
    [LibraryImport(Library)]
    internal static partial int ace_op_call(IntPtr op, BoxedArg* args, int count, BoxedArg* results, int capacity, int* produced);

    [LibraryImport(Library)] internal static partial int ace_tensor_dim(IntPtr tensor);
    [LibraryImport(Library)] internal static partial void ace_tensor_sizes(IntPtr tensor, long* sizes);
    [LibraryImport(Library)] internal static partial void ace_tensor_strides(IntPtr tensor, long* strides);
    [LibraryImport(Library)] internal static partial int ace_tensor_dtype(IntPtr tensor);
    [LibraryImport(Library)] internal static partial void ace_tensor_device(IntPtr tensor, int* type, int* index);
    [LibraryImport(Library)] internal static partial long ace_tensor_numel(IntPtr tensor);
    [LibraryImport(Library)] internal static partial int ace_tensor_is_contiguous(IntPtr tensor);
    [LibraryImport(Library)] internal static partial IntPtr ace_tensor_data_ptr(IntPtr tensor);
    [LibraryImport(Library)] internal static partial int ace_tensor_copy_to_host(IntPtr tensor, void* destination, long bytes);
    [LibraryImport(Library)]
    internal static partial int ace_tensor_from_host(void* source, long bytes, int dtype, long* shape, int rank, IntPtr* result);

    [LibraryImport(Library)] internal static partial int ace_backward(IntPtr root, IntPtr gradient, int retainGraph, int createGraph);
    [LibraryImport(Library)] internal static partial IntPtr ace_tensor_grad(IntPtr tensor);
    [LibraryImport(Library)] internal static partial int ace_tensor_set_grad(IntPtr tensor, IntPtr gradient);
    [LibraryImport(Library)] internal static partial int ace_tensor_set_requires_grad(IntPtr tensor, int requires);
    [LibraryImport(Library)] internal static partial int ace_tensor_requires_grad(IntPtr tensor);
    [LibraryImport(Library)] internal static partial int ace_tensor_is_leaf(IntPtr tensor);
    [LibraryImport(Library)] internal static partial int ace_grad_enabled();
    [LibraryImport(Library)] internal static partial void ace_set_grad_enabled(int enabled);

    [LibraryImport(Library)] internal static partial void ace_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial void ace_set_num_threads(int threads);
    [LibraryImport(Library)] internal static partial int ace_get_num_threads();
    [LibraryImport(Library)] internal static partial int ace_cuda_is_available();
    [LibraryImport(Library)] internal static partial int ace_cuda_device_count();
    [LibraryImport(Library)] internal static partial int ace_cuda_memory_stats(int device, long* stats);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ace_set_callback_error(string message);
    [LibraryImport(Library)]
    internal static partial int ace_checkpoint(
        delegate* unmanaged<long, IntPtr*, int, IntPtr*, int, int*, int> block, long context,
        IntPtr* inputs, int count, IntPtr* outputs, int capacity, int* produced);

    internal static string LastError() => Marshal.PtrToStringUTF8((IntPtr)ace_last_error()) ?? "unknown native error";

    internal static void Check(int status, string what)
    {
        if (status != 0) throw new TorchException($"{what}: {LastError()}");
    }
}
