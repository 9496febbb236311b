using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using AceTrainer.Engine.Native;

namespace AceTrainer.Engine.Modules;

/// <summary>
/// Activation checkpointing: the block runs without keeping its activations; during backward the
/// native autograd node calls back to recompute it with gradients enabled (CPU RNG state restored,
/// so dropout masks repeat) and back-propagates through the recomputed graph. Parameter gradients
/// accumulate as usual. Each checkpoint supports one backward pass (no retain_graph re-runs).
/// </summary>
public static unsafe class Checkpoint
{
    private const int MaxOutputs = 64;
    private static readonly ConcurrentDictionary<long, Func<Tensor[], Tensor[]>> Blocks = new();
    private static long nextId;

    /// <summary>Closures waiting for their backward recomputation (diagnostics; should return to 0).</summary>
    public static int Pending => Blocks.Count;

    public static Tensor Run(Module<Tensor, Tensor> block, Tensor input) => Run(x => [block.Forward(x[0])], input)[0];

    public static Tensor[] Run(Func<Tensor[], Tensor[]> block, params Tensor[] inputs)
    {
        if (!NoGradScope.IsGradEnabled) return block(inputs);
        inputs = WithGradientAnchor(inputs);
        var id = Interlocked.Increment(ref nextId);
        Blocks[id] = block;
        var handles = stackalloc IntPtr[inputs.Length];
        for (var k = 0; k < inputs.Length; k++) handles[k] = inputs[k].Handle;
        var outputs = stackalloc IntPtr[MaxOutputs];
        int produced;
        var status = NativeMethods.ace_checkpoint(&Recompute, id, handles, inputs.Length, outputs, MaxOutputs, &produced);
        GC.KeepAlive(inputs);
        if (status != 0)
        {
            Blocks.TryRemove(id, out _);
            throw new TorchException($"checkpoint: {NativeMethods.LastError()}");
        }
        var result = new Tensor[produced];
        for (var k = 0; k < produced; k++) result[k] = new Tensor(outputs[k]);
        return result;
    }

    /// <summary>
    /// The autograd node is only recorded when an input requires grad; with a frozen input (LoRA behind frozen
    /// layers) the block's own trainable parameters would get no gradient. Like PyTorch's non-reentrant checkpoint,
    /// we make that case work: a detached alias of the first floating-point input is marked as requiring grad.
    /// </summary>
    private static Tensor[] WithGradientAnchor(Tensor[] inputs)
    {
        if (inputs.Any(t => t.RequiresGrad)) return inputs;
        var index = Array.FindIndex(inputs, t => t.DType.IsFloatingPoint());
        if (index < 0) return inputs;
        var anchored = (Tensor[])inputs.Clone();
        anchored[index] = inputs[index].Detach().RequiresGrad_();
        return anchored;
    }

    [UnmanagedCallersOnly]
    private static int Recompute(long context, IntPtr* inputs, int count, IntPtr* outputs, int capacity, int* produced)
    {
        *produced = 0;
        var scope = new DisposeScope();
        try
        {
            var arguments = new Tensor[count];
            for (var k = 0; k < count; k++) arguments[k] = new Tensor(inputs[k]);
            // the first call is the forward pass (grad disabled), the second the recomputation in backward
            var isRecomputation = NoGradScope.IsGradEnabled;
            var block = isRecomputation ? (Blocks.TryRemove(context, out var b) ? b : null) : Blocks.GetValueOrDefault(context);
            if (block is null) throw new InvalidOperationException("checkpointed block already back-propagated once");
            var results = block(arguments);
            if (results.Length > capacity) throw new InvalidOperationException($"checkpointed block returned more than {capacity} tensors");
            for (var k = 0; k < results.Length; k++) outputs[k] = NativeMethods.ace_tensor_alias(results[k].Handle);
            *produced = results.Length;
            foreach (var r in results) r.Dispose();
            return 0;
        }
        catch (Exception error)
        {
            NativeMethods.ace_set_callback_error(error.Message);
            return 1;
        }
        finally
        {
            scope.Dispose();
        }
    }
}
