namespace AceTrainer.AceStep.Tests.Audio;

/// <summary>Deterministic test signals and raw float32 files shared with the python reference scripts.</summary>
internal static class AudioSignals
{
    /// <summary>Rows of a few sines plus a little noise, planar [rows, length], level well inside [-1, 1].</summary>
    public static float[] NoisyChord(int rows, int length, int sampleRate, int seed)
    {
        var random = new Random(seed);
        var values = new float[rows * length];
        for (var r = 0; r < rows; r++)
        {
            for (var n = 0; n < length; n++)
            {
                var t = (double)n / sampleRate;
                var tone = 0.3 * Math.Sin(2 * Math.PI * (220 + 110 * r) * t) + 0.2 * Math.Sin(2 * Math.PI * 3100 * t + r)
                    + 0.1 * Math.Sin(2 * Math.PI * 9000 * t);
                values[r * length + n] = (float)(tone + 0.05 * (random.NextDouble() - 0.5));
            }
        }
        return values;
    }

    public static void WriteFloats(string path, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0.0;
        var at = -1;
        for (var k = 0; k < expected.Length; k++)
        {
            var difference = Math.Abs(expected[k] - actual[k]);
            if (!(difference <= worst)) (worst, at) = (difference, k);
        }
        Assert.True(worst <= tolerance, $"largest difference {worst:E3} at {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)}) exceeds {tolerance:E1}");
    }
}
