namespace AceTrainer.ServiceDefaults.Datasets;

/// <summary>A dataset as listed: its manifest plus counts computed from its sample records.</summary>
public sealed record DatasetSummary(
    string Id,
    string Name,
    string TriggerWord,
    int SampleCount,
    double TotalDurationSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record CreateDatasetRequest(string Name, string? TriggerWord = null);

/// <summary>Null fields are left as they are.</summary>
public sealed record UpdateDatasetRequest(string? Name = null, string? TriggerWord = null);
