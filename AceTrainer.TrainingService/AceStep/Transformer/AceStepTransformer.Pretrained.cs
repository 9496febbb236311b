using System.Text.Json;
using AceTrainer.Engine;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Transformer;

public sealed partial class AceStepTransformer
{
    /// <summary>The transformer's folder inside an ACE-Step checkpoint.</summary>
    public const string SubFolder = "ace_step_transformer";
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = "diffusion_pytorch_model.safetensors";
    public const string WeightsIndexFileName = "diffusion_pytorch_model.safetensors.index.json";

    /// <summary>
    /// Loads the official layout: <paramref name="folder"/> is the checkpoint root (holding ace_step_transformer/)
    /// or that subfolder; it holds config.json and diffusion_pytorch_model.safetensors (or a sharded index).
    /// Parameters are allocated once on <paramref name="device"/> in <paramref name="dtype"/> (default float32)
    /// and filled tensor by tensor from the memory-mapped files. The model comes back in eval mode.
    /// </summary>
    public static AceStepTransformer FromPretrained(string folder, Device? device = null, DType? dtype = null)
    {
        var directory = ResolveFolder(folder);
        var config = AceStepTransformerConfig.FromJson(Path.Combine(directory, ConfigFileName));
        var files = OpenWeights(directory);
        try
        {
            var sources = IndexTensors(files);
            CheckAgainstArchitecture(config, sources);
            AceStepTransformer model;
            using (ModuleInit.On(device ?? Device.Cpu, dtype ?? DType.Float32)) model = new AceStepTransformer(config);
            try
            {
                using var noGrad = Torch.NoGrad();
                foreach (var (name, target) in model.StateDict())
                {
                    using var scope = new DisposeScope();
                    target.Copy_(sources[name].Load(name));
                }
            }
            catch
            {
                model.Dispose();
                throw;
            }
            model.Eval(); // as diffusers' from_pretrained; call Train() to fine-tune
            return model;
        }
        finally
        {
            foreach (var file in files) file.Dispose();
        }
    }

    /// <summary>Writes config.json and diffusion_pytorch_model.safetensors into <paramref name="folder"/> (optionally cast, e.g. to bfloat16).</summary>
    public void SavePretrained(string folder, DType? dtype = null)
    {
        Directory.CreateDirectory(folder);
        Config.Save(Path.Combine(folder, ConfigFileName));
        using var scope = new DisposeScope();
        var state = StateDict().ToDictionary(
            entry => entry.Key,
            entry => dtype is { } d && entry.Value.DType != d ? entry.Value.To(d) : entry.Value,
            StringComparer.Ordinal);
        SafeTensorsWriter.Save(Path.Combine(folder, WeightsFileName), state, new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static string ResolveFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new FileNotFoundException($"transformer checkpoint folder not found: {folder}", folder);
        var nested = Path.Combine(folder, SubFolder);
        return Directory.Exists(nested) ? nested : folder;
    }

    private static List<SafeTensorsFile> OpenWeights(string directory)
    {
        var single = Path.Combine(directory, WeightsFileName);
        if (File.Exists(single)) return [SafeTensorsFile.Open(single)];
        var index = Path.Combine(directory, WeightsIndexFileName);
        if (!File.Exists(index))
            throw new FileNotFoundException($"transformer weights not found: neither {single} nor {index} exists", single);
        var shards = ReadShardNames(index);
        var files = new List<SafeTensorsFile>();
        try
        {
            foreach (var shard in shards)
            {
                var path = Path.Combine(directory, shard);
                if (!File.Exists(path)) throw new FileNotFoundException($"weights shard {path} listed in {index} not found", path);
                files.Add(SafeTensorsFile.Open(path));
            }
            return files;
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }

    private static List<string> ReadShardNames(string index)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(index));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{index}: no weight_map object");
            return map.EnumerateObject().Select(entry => entry.Value.GetString() ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{index}: invalid JSON: {error.Message}", error);
        }
    }

    private static Dictionary<string, SafeTensorsFile> IndexTensors(IEnumerable<SafeTensorsFile> files)
    {
        var sources = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var name in file.Tensors.Keys) sources.TryAdd(name, file);
        }
        return sources;
    }

    /// <summary>Compares names and shapes with a weightless (meta) build before allocating anything.</summary>
    private static void CheckAgainstArchitecture(AceStepTransformerConfig config, Dictionary<string, SafeTensorsFile> sources)
    {
        using var meta = ModuleInit.On(Device.Meta);
        using var skeleton = new AceStepTransformer(config);
        var expected = skeleton.StateDict();
        var missing = expected.Keys.Where(name => !sources.ContainsKey(name)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"transformer weights lack {missing.Count} tensor(s), first: {string.Join(", ", missing.Take(10))}");
        foreach (var (name, tensor) in expected)
        {
            var stored = sources[name].Tensors[name];
            if (!stored.Shape.SequenceEqual(tensor.Shape))
                throw new InvalidDataException($"transformer weight {name}: shape [{string.Join(",", stored.Shape)}] where the config needs [{string.Join(",", tensor.Shape)}]");
            if (!stored.DType.IsFloatingPoint())
                throw new InvalidDataException($"transformer weight {name}: dtype {stored.DType} is not floating point");
        }
    }
}
