using System.Globalization;

namespace AceTrainer.Benchmarks;

/// <summary>"--name value" options after the benchmark's name.</summary>
public static class BenchmarkArgs
{
    /// <summary>The option's positive integer value, or <paramref name="fallback"/> when it is absent or not one.</summary>
    public static int Int(string[] args, string name, int fallback) =>
        Text(args, name) is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    public static string? Text(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
