using System.Collections;

namespace AceTrainer.Engine.Modules;

/// <summary>An indexed list of submodules named "0", "1", ... (as <c>nn.ModuleList</c>).</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = [];

    public ModuleList(IEnumerable<T> modules)
    {
        foreach (var m in modules) Add(m);
    }

    public ModuleList() { }

    public T this[int index] => items[index];

    public int Count => items.Count;

    public void Add(T module) => items.Add(RegisterModule(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module));

    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Applies submodules "0", "1", ... in order (as <c>nn.Sequential</c>); intermediate results are released.</summary>
public sealed class Sequential : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> stages = [];

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) stages.Add(RegisterModule(stages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m));
    }

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var stage in stages)
        {
            var next = stage.Forward(x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return ReferenceEquals(x, input) ? input.Alias() : x;
    }
}
