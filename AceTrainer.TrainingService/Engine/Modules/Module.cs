namespace AceTrainer.Engine.Modules;

/// <summary>
/// Base of all layers: a tree of submodules, parameters and buffers whose dotted names equal
/// PyTorch's state-dict keys (e.g. <c>blocks.0.attn.to_q.weight</c>), so checkpoints map one to one.
/// Parameters and buffers are owned by the module and released by <see cref="Dispose"/>.
/// </summary>
public abstract partial class Module : IDisposable
{
    private readonly OrderedDictionary<string, Tensor?> parameters = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, Tensor?> buffers = new(StringComparer.Ordinal);
    private readonly HashSet<string> transientBuffers = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, Module> children = new(StringComparer.Ordinal);

    /// <summary>True in training mode (dropout active), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    protected Tensor RegisterParameter(string name, Tensor value, bool requiresGrad = true)
    {
        EnsureFreeName(name);
        value.DetachFromDisposeScope();
        value.RequiresGrad = requiresGrad;
        parameters[name] = value;
        return value;
    }

    /// <summary>Registers a buffer (state that is not trained); non-persistent buffers stay out of the state dict.</summary>
    protected Tensor RegisterBuffer(string name, Tensor value, bool persistent = true)
    {
        EnsureFreeName(name);
        value.DetachFromDisposeScope();
        buffers[name] = value;
        if (!persistent) transientBuffers.Add(name);
        return value;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        EnsureFreeName(name);
        children[name] = module;
        return module;
    }

    public IEnumerable<(string Name, Module Module)> NamedChildren() => children.Select(c => (c.Key, c.Value));

    /// <summary>This module and all descendants with dotted paths ("" for this module).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in children)
        {
            foreach (var entry in child.NamedModules(Join(prefix, name))) yield return entry;
        }
    }

    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters() =>
        NamedModules().SelectMany(m => m.Module.parameters
            .Where(p => p.Value is not null)
            .Select(p => (Join(m.Name, p.Key), p.Value!)));

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool persistentOnly = false) =>
        NamedModules().SelectMany(m => m.Module.buffers
            .Where(b => b.Value is not null && !(persistentOnly && m.Module.transientBuffers.Contains(b.Key)))
            .Select(b => (Join(m.Name, b.Key), b.Value!)));

    public Module Train(bool training = true)
    {
        foreach (var (_, module) in NamedModules()) module.Training = training;
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Stops (or restarts) gradient computation for every parameter.</summary>
    public Module Freeze(bool frozen = true)
    {
        foreach (var p in Parameters()) p.RequiresGrad = !frozen;
        return this;
    }

    public Module Unfreeze() => Freeze(false);

    /// <summary>Drops all gradients (set to none, as <c>zero_grad(set_to_none=True)</c>).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>
    /// Moves parameters and buffers to a device and casts floating-point ones to <paramref name="dtype"/>,
    /// keeping object identity (like <c>param.data = ...</c>), so optimisers and fields stay valid.
    /// </summary>
    public Module To(Device? device = null, DType? dtype = null)
    {
        using var noGrad = Torch.NoGrad();
        using var scope = new DisposeScope();
        foreach (var tensor in Parameters().Concat(NamedBuffers().Select(b => b.Buffer)))
        {
            var target = dtype is { } d && tensor.DType.IsFloatingPoint() ? d : (DType?)null;
            var requiresGrad = tensor.RequiresGrad;
            var converted = tensor.To(device, target);
            tensor.ReplaceWith(converted);
            if (requiresGrad) tensor.RequiresGrad = true;
        }
        return this;
    }

    public long ParameterCount() => Parameters().Sum(p => p.Numel);

    public virtual void Dispose()
    {
        foreach (var child in children.Values) child.Dispose();
        foreach (var t in parameters.Values.Concat(buffers.Values)) t?.Dispose();
        GC.SuppressFinalize(this);
    }

    private void EnsureFreeName(string name)
    {
        if (name.Length == 0 || name.Contains('.')) throw new ArgumentException($"invalid member name '{name}'");
        if (parameters.ContainsKey(name) || buffers.ContainsKey(name) || children.ContainsKey(name))
            throw new ArgumentException($"'{name}' is already registered on {GetType().Name}");
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
}

/// <summary>A module with a typed forward pass.</summary>
public abstract class Module<TInput, TOutput> : Module
{
    public abstract TOutput Forward(TInput input);

    public TOutput Call(TInput input) => Forward(input);
}
