namespace AceTrainer.Engine.Tests.Reference;

public class OperatorReferenceTests(PythonReferenceFixture reference) : IClassFixture<PythonReferenceFixture>
{
    public static TheoryData<string> Names => new(OperatorCases.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_and_gradients_match_pytorch(string name)
    {
        if (reference.EngineErrors.TryGetValue(name, out var error)) throw new Xunit.Sdk.XunitException($"engine failed: {error}");
        var c = OperatorCases.All.Single(x => x.Name == name);
        var engine = reference.EngineResults[name];
        TensorAssert.Close(reference.PythonResults[$"{name}/out0"], engine.Output, c.Rtol, c.Atol, $"{name} forward");
        foreach (var g in c.Grads)
        {
            var expected = reference.PythonResults[$"{name}/grad/{g}"];
            var actual = engine.Grads[g] ?? throw new Xunit.Sdk.XunitException($"{name}: engine produced no gradient for {g}");
            TensorAssert.Close(expected, actual, c.Rtol, c.Atol, $"{name} d/d{g}");
        }
    }
}
