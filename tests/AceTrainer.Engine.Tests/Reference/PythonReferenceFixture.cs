using System.Text.Json;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.Engine.Tests.Reference;

/// <summary>
/// Runs every <see cref="OperatorCases"/> entry in the engine, then all of them in one PyTorch process
/// on the same inputs (exchanged as safetensors files), and keeps both sides' outputs and gradients.
/// </summary>
public sealed class PythonReferenceFixture : IDisposable
{
    private const string Cotangent = "__cot";
    private readonly List<Tensor> kept = [];

    public PythonReferenceFixture()
    {
        var directory = Directory.CreateTempSubdirectory("engine-reference-").FullName;
        using var scope = new DisposeScope();
        Torch.ManualSeed(1234);
        var inputs = new Dictionary<string, Tensor>();
        var specs = new List<object>();
        foreach (var c in OperatorCases.All)
        {
            var values = c.Inputs.ToDictionary(i => i.Key, i => i.Value());
            foreach (var (name, value) in values) inputs[$"{c.Name}/{name}"] = value;
            try
            {
                var leaves = values.ToDictionary(v => v.Key, v => c.Grads.Contains(v.Key) ? v.Value.Detach().RequiresGrad_() : v.Value);
                var output = c.Engine(leaves);
                var result = new EngineResult(Keep(output.Detach()), []);
                if (c.Grads.Length > 0)
                {
                    var cotangent = Tensor.RandnLike(output);
                    inputs[$"{c.Name}/{Cotangent}"] = cotangent;
                    (output * cotangent).Sum().Backward();
                    foreach (var g in c.Grads) result.Grads[g] = leaves[g].Grad is { } grad ? Keep(grad) : null;
                }
                EngineResults[c.Name] = result;
            }
            catch (Exception error)
            {
                EngineErrors[c.Name] = error;
            }
            specs.Add(new { name = c.Name, expr = c.Python, inputs = c.Inputs.Keys.ToArray(), grads = c.Grads, cotangent = Cotangent });
        }
        var casesPath = Path.Combine(directory, "cases.json");
        var inputsPath = Path.Combine(directory, "inputs.safetensors");
        var outputsPath = Path.Combine(directory, "outputs.safetensors");
        File.WriteAllText(casesPath, JsonSerializer.Serialize(specs));
        SafeTensorsWriter.Save(inputsPath, inputs);
        PythonRunner.Run("reference_ops.py", casesPath, inputsPath, outputsPath);
        using var file = SafeTensorsFile.Open(outputsPath);
        foreach (var name in file.Tensors.Keys) PythonResults[name] = Keep(file.Load(name));
        Directory.Delete(directory, recursive: true);
    }

    public Dictionary<string, EngineResult> EngineResults { get; } = [];
    public Dictionary<string, Exception> EngineErrors { get; } = [];
    public Dictionary<string, Tensor> PythonResults { get; } = [];

    public void Dispose()
    {
        foreach (var t in kept) t.Dispose();
    }

    private Tensor Keep(Tensor tensor)
    {
        kept.Add(tensor.DetachFromDisposeScope());
        return tensor;
    }

    public sealed record EngineResult(Tensor Output, Dictionary<string, Tensor?> Grads);
}
