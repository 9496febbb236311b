using AceTrainer.AceStep.Metrics;

namespace AceTrainer.AceStep.Tests.Metrics;

public class LttbTests
{
    internal static List<(double X, double Y)> NoisyCurve(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (i * 0.5, Math.Exp(-i / 300.0) + 0.1 * random.NextDouble())).ToList();
    }

    [Theory]
    [InlineData(1000, 10)]
    [InlineData(1000, 3)]
    [InlineData(1000, 2)]
    [InlineData(1000, 999)]
    [InlineData(7, 5)]
    public void Keeps_exactly_threshold_points_with_the_ends_and_increasing_x(int count, int threshold)
    {
        var points = NoisyCurve(count, seed: count + threshold);
        var kept = Lttb.Downsample(points, threshold);
        Assert.Equal(threshold, kept.Count);
        Assert.Equal(points[0], kept[0]);
        Assert.Equal(points[^1], kept[^1]);
        for (var i = 1; i < kept.Count; i++) Assert.True(kept[i].X > kept[i - 1].X, $"x decreases at {i}");
        Assert.All(kept, p => Assert.Contains(p, points));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(10, 10)]
    public void Returns_the_input_when_it_is_not_longer_than_the_threshold(int count, int threshold)
    {
        var points = NoisyCurve(count, seed: 1);
        Assert.Same(points, Lttb.Downsample(points, threshold));
    }

    [Fact]
    public void A_threshold_below_two_is_refused_when_points_must_be_dropped() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Lttb.Downsample(NoisyCurve(5, seed: 1), 1));

    [Fact]
    public void A_spike_survives()
    {
        var points = NoisyCurve(10_000, seed: 5);
        points[6_123] = (points[6_123].X, 50.0);
        var kept = Lttb.Downsample(points, 100);
        Assert.Contains(points[6_123], kept);
    }

    [Fact]
    public void A_straight_line_stays_straight()
    {
        var points = Enumerable.Range(0, 5_000).Select(i => (X: i * 0.25, Y: 3.0 - 0.5 * i * 0.25)).ToList();
        var kept = Lttb.Downsample(points, 57);
        Assert.Equal(57, kept.Count);
        Assert.All(kept, p => Assert.Equal(3.0 - 0.5 * p.X, p.Y, 12));
    }

    [Fact]
    public void A_million_points_downsample()
    {
        var points = NoisyCurve(1_000_000, seed: 9);
        var kept = Lttb.Downsample(points, 1_000);
        Assert.Equal(1_000, kept.Count);
        Assert.Equal(points[^1], kept[^1]);
    }

    [Theory]
    [InlineData(50, 7)]
    [InlineData(101, 10)]
    [InlineData(1_000, 33)]
    [InlineData(12, 11)]
    public void Agrees_with_a_brute_force_reference(int count, int threshold)
    {
        var points = NoisyCurve(count, seed: count * 31 + threshold);
        Assert.Equal(Reference(points, threshold), Lttb.Downsample(points, threshold));
    }

    /// <summary>
    /// The algorithm written out plainly: the interior points are split into threshold - 2 buckets (bucket b holds
    /// the points whose scaled position (i - 1) / size falls in [b, b + 1)), then each bucket in turn keeps the
    /// point whose triangle with the last kept point and the next bucket's mean (the last point for the final
    /// bucket) is largest, trying every candidate and computing areas with the shoelace formula.
    /// </summary>
    private static List<(double X, double Y)> Reference(List<(double X, double Y)> points, int threshold)
    {
        var size = (double)(points.Count - 2) / (threshold - 2);
        var buckets = Enumerable.Range(0, threshold - 2).Select(_ => new List<(double X, double Y)>()).ToList();
        for (var i = 1; i < points.Count - 1; i++)
        {
            var b = Enumerable.Range(0, threshold - 2).Last(k => Math.Floor(k * size) + 1 <= i);
            buckets[b].Add(points[i]);
        }
        var kept = new List<(double X, double Y)> { points[0] };
        for (var b = 0; b < buckets.Count; b++)
        {
            var next = b + 1 < buckets.Count ? buckets[b + 1] : [points[^1]];
            var mean = (X: next.Average(p => p.X), Y: next.Average(p => p.Y));
            var anchor = kept[^1];
            kept.Add(buckets[b].MaxBy(p => TriangleArea(anchor, p, mean))); // MaxBy keeps the first of equal maxima
        }
        kept.Add(points[^1]);
        return kept;
    }

    private static double TriangleArea((double X, double Y) a, (double X, double Y) b, (double X, double Y) c) =>
        Math.Abs(a.X * (b.Y - c.Y) + b.X * (c.Y - a.Y) + c.X * (a.Y - b.Y)) / 2;
}
