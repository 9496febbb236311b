namespace AceTrainer.Engine;

/// <summary>
/// Collects every tensor created on this thread while it is the innermost scope and disposes them
/// when it ends, so a training step's temporaries are freed deterministically. Keep a result with
/// <see cref="MoveOut"/> (to the enclosing scope) or <see cref="Detach"/> (to no scope).
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly DisposeScope? outer;
    private readonly List<Tensor> tensors = [];
    private bool disposed;

    public DisposeScope()
    {
        outer = current;
        current = this;
    }

    /// <summary>The innermost scope on this thread, if any.</summary>
    public static DisposeScope? Current => current;

    /// <summary>Tensors this scope will dispose (those moved out excluded).</summary>
    public int Count => tensors.Count(t => t.Scope == this);

    internal void Register(Tensor tensor)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        tensors.Add(tensor);
        tensor.Scope = this;
    }

    /// <summary>Hands a tensor to the enclosing scope (or to none when this is the outermost).</summary>
    public Tensor MoveOut(Tensor tensor)
    {
        if (tensor.Scope != this) throw new InvalidOperationException("tensor does not belong to this scope");
        tensor.Scope = null;
        outer?.Register(tensor);
        return tensor;
    }

    /// <summary>Takes a tensor out of every scope; the caller disposes it.</summary>
    public static Tensor Detach(Tensor tensor)
    {
        tensor.Scope = null;
        return tensor;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        if (current == this) current = outer;
        foreach (var tensor in tensors)
        {
            if (tensor.Scope == this) tensor.Dispose();
        }
        tensors.Clear();
    }
}
