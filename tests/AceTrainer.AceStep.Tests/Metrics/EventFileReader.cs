using System.Text.Json;
using AceTrainer.TestSupport;

namespace AceTrainer.AceStep.Tests.Metrics;

/// <summary>One record as python/metrics_tfevents_reader.py decoded it (after checking its CRCs).</summary>
internal sealed record EventRecord(double WallTime, long Step, string? FileVersion, IReadOnlyDictionary<string, double>? Scalars);

internal sealed record EventFile(string Name, IReadOnlyList<EventRecord> Records);

/// <summary>Reads event files with our independent Python reader: struct, its own CRC-32C, its own protobuf decoding.</summary>
internal static class EventFileReader
{
    public static IReadOnlyList<EventFile> Read(string fileOrFolder)
    {
        using var json = JsonDocument.Parse(PythonRunner.Run("metrics_tfevents_reader.py", fileOrFolder));
        return json.RootElement.EnumerateArray().Select(file => new EventFile(
            file.GetProperty("file").GetString()!,
            file.GetProperty("records").EnumerateArray().Select(Record).ToList())).ToList();
    }

    private static EventRecord Record(JsonElement record) => new(
        record.GetProperty("wall_time").GetDouble(),
        record.GetProperty("step").GetInt64(),
        record.TryGetProperty("file_version", out var version) ? version.GetString() : null,
        record.TryGetProperty("scalars", out var scalars)
            ? scalars.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble())
            : null);
}
