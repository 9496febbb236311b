namespace AceTrainer.AceStep.Metrics;

/// <summary>
/// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013), for drawing long loss curves with few points:
/// keeps the first and last point and, from each of threshold - 2 equal buckets in between, the point forming the
/// largest triangle with the point kept before it and the mean of the next bucket. O(n). The portal's
/// wwwroot/js/charts/lttb.js is the same algorithm with the same arithmetic, so both pick the same points.
/// </summary>
public static class Lttb
{
    /// <summary>Exactly <paramref name="threshold"/> points when there are more; otherwise the input itself. Points are expected in increasing X.</summary>
    public static IReadOnlyList<(double X, double Y)> Downsample(IReadOnlyList<(double X, double Y)> points, int threshold)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count <= threshold) return points;
        if (threshold < 2) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "LTTB keeps the first and last point: threshold must be at least 2");
        var n = points.Count;
        var kept = new (double X, double Y)[threshold];
        kept[0] = points[0];
        kept[threshold - 1] = points[n - 1];
        var bucketSize = (double)(n - 2) / (threshold - 2);
        var anchor = points[0];
        for (var bucket = 0; bucket < threshold - 2; bucket++)
        {
            var nextStart = (int)Math.Floor((bucket + 1) * bucketSize) + 1;
            var nextEnd = Math.Min((int)Math.Floor((bucket + 2) * bucketSize) + 1, n);
            double meanX = 0, meanY = 0;
            for (var i = nextStart; i < nextEnd; i++)
            {
                meanX += points[i].X;
                meanY += points[i].Y;
            }
            meanX /= nextEnd - nextStart;
            meanY /= nextEnd - nextStart;

            var start = (int)Math.Floor(bucket * bucketSize) + 1;
            var best = start;
            var bestArea = -1.0;
            for (var i = start; i < nextStart; i++)
            {
                // Twice the triangle's area; the factor does not change which point wins.
                var area = Math.Abs((anchor.X - meanX) * (points[i].Y - anchor.Y) - (anchor.X - points[i].X) * (meanY - anchor.Y));
                if (area > bestArea)
                {
                    bestArea = area;
                    best = i;
                }
            }
            anchor = points[best];
            kept[bucket + 1] = anchor;
        }
        return kept;
    }
}
