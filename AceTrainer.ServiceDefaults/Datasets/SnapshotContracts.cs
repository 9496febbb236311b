namespace AceTrainer.ServiceDefaults.Datasets;

/// <summary>One frozen sample: the prompt already carries the trigger word; the audio blob is content-addressed and never rewritten.</summary>
public sealed record SnapshotSample(
    string Stem,
    string Prompt,
    string Lyrics,
    bool Instrumental,
    string AudioBlob,
    string AudioSha256,
    string FileName,
    AudioFacts Facts);

/// <summary>An immutable version of a dataset that a training run refers to by <see cref="Id"/>.</summary>
public sealed record DatasetSnapshot(
    string Id,
    string DatasetId,
    string DatasetName,
    string TriggerWord,
    DateTimeOffset CreatedAt,
    IReadOnlyList<SnapshotSample> Samples);

public sealed record SnapshotSummary(string Id, string DatasetId, string DatasetName, int SampleCount, DateTimeOffset CreatedAt);
