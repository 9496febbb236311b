using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Modules;

/// <summary>Result of loading a state dict: keys the module expected but did not get, and the reverse.</summary>
public sealed record LoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);

public abstract partial class Module
{
    /// <summary>Parameters and persistent buffers by state-dict key. The tensors are the module's own.</summary>
    public Dictionary<string, Tensor> StateDict() =>
        NamedParameters().Concat(NamedBuffers(persistentOnly: true)).ToDictionary(e => e.Item1, e => e.Item2, StringComparer.Ordinal);

    /// <summary>Copies values into the module's tensors (casting dtype and device as needed).</summary>
    public LoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true) =>
        Load(state.Keys, key => state[key].Alias(), strict);

    /// <summary>Loads from a safetensors file, reading only the tensors this module has.</summary>
    public LoadResult LoadSafeTensors(string path, bool strict = true)
    {
        using var file = SafeTensorsFile.Open(path);
        return Load(file.Tensors.Keys, key => file.Load(key), strict);
    }

    public void SaveSafeTensors(string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensorsWriter.Save(path, StateDict(), metadata);

    private LoadResult Load(IEnumerable<string> available, Func<string, Tensor> read, bool strict)
    {
        var own = StateDict();
        var keys = available.ToHashSet(StringComparer.Ordinal);
        var missing = own.Keys.Where(k => !keys.Contains(k)).ToList();
        var unexpected = keys.Where(k => !own.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (strict && (missing.Count > 0 || unexpected.Count > 0))
            throw new InvalidDataException($"state dict mismatch; missing: [{string.Join(", ", missing)}], unexpected: [{string.Join(", ", unexpected)}]");
        using var noGrad = Torch.NoGrad();
        foreach (var (key, target) in own)
        {
            if (!keys.Contains(key)) continue;
            using var scope = new DisposeScope();
            var source = read(key);
            if (!source.Shape.SequenceEqual(target.Shape))
                throw new InvalidDataException($"{key}: shape [{string.Join(",", source.Shape)}] does not match [{string.Join(",", target.Shape)}]");
            target.Copy_(source);
        }
        return new LoadResult(missing, unexpected);
    }
}
