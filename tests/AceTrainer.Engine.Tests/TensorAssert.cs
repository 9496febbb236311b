namespace AceTrainer.Engine.Tests;

internal static class TensorAssert
{
    /// <summary>Same shape and |actual - expected| &lt;= atol + rtol·|expected| everywhere.</summary>
    public static void Close(Tensor expected, Tensor actual, double rtol = 1e-4, double atol = 1e-5, string what = "")
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape),
            $"{what}: shape [{string.Join(",", actual.Shape)}] != expected [{string.Join(",", expected.Shape)}]");
        using var e = expected.To(DType.Float64);
        using var a = actual.To(DType.Float64);
        var ev = e.ToArray<double>();
        var av = a.ToArray<double>();
        var worst = 0.0;
        var worstIndex = -1;
        for (var k = 0; k < ev.Length; k++)
        {
            var excess = Math.Abs(av[k] - ev[k]) - (atol + rtol * Math.Abs(ev[k]));
            if (double.IsNaN(av[k]) != double.IsNaN(ev[k])) excess = double.PositiveInfinity;
            if (excess > worst) (worst, worstIndex) = (excess, k);
        }
        Assert.True(worstIndex < 0, worstIndex < 0 ? "" : $"{what}: element {worstIndex} is {av[worstIndex]}, expected {ev[worstIndex]}");
    }
}
