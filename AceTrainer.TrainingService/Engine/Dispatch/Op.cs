using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using AceTrainer.Engine.Native;

namespace AceTrainer.Engine.Dispatch;

/// <summary>
/// An aten:: operator resolved once through the c10 dispatcher. Every tensor operation of the
/// engine funnels into <see cref="Call"/>, the single generic native entry point.
/// Arguments not given take the schema's defaults.
/// </summary>
public sealed unsafe class Op
{
    private const int ResultCapacity = 256;
    private static readonly ConcurrentDictionary<(string, string), Op?> Cache = new();

    private readonly IntPtr handle;

    private Op(string name, string overload, IntPtr handle)
    {
        Name = name;
        Overload = overload;
        this.handle = handle;
    }

    public string Name { get; }
    public string Overload { get; }

    /// <summary>The operator's schema as libtorch prints it.</summary>
    public string Schema
    {
        get
        {
            var buffer = stackalloc byte[1024];
            NativeMethods.ace_op_schema(handle, buffer, 1024);
            return Marshal.PtrToStringUTF8((IntPtr)buffer) ?? "";
        }
    }

    /// <summary>Resolves an operator; throws when this libtorch does not have it.</summary>
    public static Op Get(string name, string overload = "") =>
        Find(name, overload) ?? throw new TorchException($"libtorch has no operator {name}.{overload}");

    /// <summary>Resolves an operator, or null when this libtorch does not have it (feature detection).</summary>
    public static Op? Find(string name, string overload = "") =>
        Cache.GetOrAdd((name, overload), static key =>
        {
            var h = NativeMethods.ace_op_find(key.Item1, key.Item2);
            return h == IntPtr.Zero ? null : new Op(key.Item1, key.Item2, h);
        });

    /// <summary>Calls an operator that returns one tensor.</summary>
    public Tensor Invoke(params ReadOnlySpan<OpArg> args)
    {
        var results = stackalloc BoxedArg[ResultCapacity];
        var count = Call(args, results);
        if (count < 1 || results[0].Tag != ArgTag.Tensor)
        {
            Release(results, count);
            throw new TorchException($"{Name}.{Overload} did not return a tensor");
        }
        Release(results + 1, count - 1);
        return new Tensor(results[0].Pointer);
    }

    /// <summary>Calls an operator returning several tensors (tuples and tensor lists, flattened).</summary>
    public Tensor[] InvokeMany(params ReadOnlySpan<OpArg> args)
    {
        var results = stackalloc BoxedArg[ResultCapacity];
        var count = Call(args, results);
        var tensors = new List<Tensor>(count);
        for (var k = 0; k < count; k++)
        {
            if (results[k].Tag == ArgTag.Tensor) tensors.Add(new Tensor(results[k].Pointer));
        }
        return tensors.ToArray();
    }

    /// <summary>Calls an in-place or void operator; the aliases it returns are released at once.</summary>
    public void InvokeInPlace(params ReadOnlySpan<OpArg> args)
    {
        var results = stackalloc BoxedArg[ResultCapacity];
        var count = Call(args, results);
        Release(results, count);
    }

    /// <summary>Calls an operator returning a number (int, float or bool).</summary>
    public double InvokeScalar(params ReadOnlySpan<OpArg> args)
    {
        var results = stackalloc BoxedArg[ResultCapacity];
        var count = Call(args, results);
        var first = count > 0 ? results[0] : default;
        Release(results, count);
        return first.Tag switch
        {
            ArgTag.Double => first.Double,
            ArgTag.Int or ArgTag.Bool => first.Int,
            _ => throw new TorchException($"{Name}.{Overload} did not return a number"),
        };
    }

    private static void Release(BoxedArg* results, int count)
    {
        for (var k = 0; k < count; k++)
        {
            if (results[k].Tag == ArgTag.Tensor) NativeMethods.ace_tensor_free(results[k].Pointer);
        }
    }

    private int Call(ReadOnlySpan<OpArg> args, BoxedArg* results)
    {
        var scratchBytes = 0;
        foreach (var arg in args) scratchBytes += ScratchSize(arg);
        var boxed = stackalloc BoxedArg[args.Length];
        byte* heap = null;
        var scratch = scratchBytes <= 2048 ? stackalloc byte[scratchBytes] : default;
        var cursor = (byte*)null;
        try
        {
            if (scratchBytes > 2048) heap = (byte*)NativeMemory.Alloc((nuint)scratchBytes);
            fixed (byte* stackScratch = scratch)
            {
                cursor = heap != null ? heap : stackScratch;
                for (var k = 0; k < args.Length; k++) boxed[k] = Box(args[k], ref cursor);
                int produced;
                var status = NativeMethods.ace_op_call(handle, boxed, args.Length, results, ResultCapacity, &produced);
                foreach (var arg in args) GC.KeepAlive(arg.Reference);
                if (status != 0) throw new TorchException($"{Name}.{Overload}: {NativeMethods.LastError()}");
                return produced;
            }
        }
        finally
        {
            if (heap != null) NativeMemory.Free(heap);
        }
    }

    private static int ScratchSize(in OpArg arg) => arg.Reference switch
    {
        Tensor[] list => list.Length * sizeof(IntPtr),
        long[] ints => ints.Length * sizeof(long),
        double[] reals => reals.Length * sizeof(double),
        string text => Encoding.UTF8.GetByteCount(text) + 1,
        _ => 0,
    } + 8; // keeps every block 8-byte aligned

    private static BoxedArg Box(in OpArg arg, ref byte* cursor)
    {
        var boxed = new BoxedArg { Tag = arg.Tag };
        var start = cursor;
        switch (arg.Tag)
        {
            case ArgTag.Tensor:
                boxed.Pointer = ((Tensor)arg.Reference!).Handle;
                break;
            case ArgTag.TensorList:
                var tensors = (Tensor[])arg.Reference!;
                var handles = (IntPtr*)cursor;
                for (var k = 0; k < tensors.Length; k++) handles[k] = tensors[k]?.Handle ?? IntPtr.Zero;
                boxed.Pointer = (IntPtr)handles;
                boxed.Length = tensors.Length;
                cursor += tensors.Length * sizeof(IntPtr);
                break;
            case ArgTag.IntList:
                var ints = (long[])arg.Reference!;
                ints.CopyTo(new Span<long>(cursor, ints.Length));
                boxed.Pointer = (IntPtr)cursor;
                boxed.Length = ints.Length;
                cursor += ints.Length * sizeof(long);
                break;
            case ArgTag.DoubleList:
                var reals = (double[])arg.Reference!;
                reals.CopyTo(new Span<double>(cursor, reals.Length));
                boxed.Pointer = (IntPtr)cursor;
                boxed.Length = reals.Length;
                cursor += reals.Length * sizeof(double);
                break;
            case ArgTag.String:
                var text = (string)arg.Reference!;
                var written = Encoding.UTF8.GetBytes(text, new Span<byte>(cursor, Encoding.UTF8.GetByteCount(text)));
                cursor[written] = 0;
                boxed.Pointer = (IntPtr)cursor;
                cursor += written + 1;
                break;
            case ArgTag.Double:
                boxed.Double = arg.Double;
                break;
            case ArgTag.Device:
                boxed.Int = arg.Int;
                boxed.Length = (int)arg.Double;
                break;
            default:
                boxed.Int = arg.Int;
                break;
        }
        cursor = start + ((cursor - start + 7) & ~7L);
        return boxed;
    }
}
