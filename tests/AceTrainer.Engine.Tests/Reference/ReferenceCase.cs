namespace AceTrainer.Engine.Tests.Reference;

/// <summary>
/// One operator checked against PyTorch: inputs are generated here, the engine computes
/// <see cref="Engine"/>, PyTorch evaluates <see cref="Python"/> (an expression over the input names)
/// on the same inputs, and both back-propagate the same random cotangent into <see cref="Grads"/>.
/// </summary>
public sealed record ReferenceCase(
    string Name,
    string Python,
    Func<IReadOnlyDictionary<string, Tensor>, Tensor> Engine,
    IReadOnlyDictionary<string, Func<Tensor>> Inputs,
    string[] Grads,
    double Rtol = 1e-4,
    double Atol = 1e-5);
