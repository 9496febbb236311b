using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults.Datasets;

[JsonConverter(typeof(JsonStringEnumConverter<IssueSeverity>))]
public enum IssueSeverity { Info, Warning, Error }

/// <param name="Code">Stable machine name, e.g. "missing-prompt", "too-short", "clipping".</param>
public sealed record ValidationIssue(IssueSeverity Severity, string Code, string Message);

public sealed record SampleValidation(string Stem, bool Valid, IReadOnlyList<ValidationIssue> Issues);

public sealed record DatasetStats(
    int Count,
    double TotalDurationSeconds,
    double MeanDurationSeconds,
    int ValidCount,
    int InvalidCount);

public sealed record ValidationReport(string DatasetId, DatasetStats Stats, IReadOnlyList<SampleValidation> Samples);
