using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Storage;

public sealed record DatasetManifest(
    string Id,
    string Name,
    string TriggerWord,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <param name="Blob">Name of the content-addressed audio blob.</param>
public sealed record AudioRef(string Blob, string Sha256, long Size, string FileName, string ContentType);

/// <summary>One sample's record blob; its ETag is the version clients send back in If-Match.</summary>
public sealed record SampleRecord(
    string Stem,
    string Prompt,
    string Lyrics,
    bool Instrumental,
    AudioRef Audio,
    AudioFacts Facts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record Versioned<T>(T Value, string ETag);

/// <summary>The prompts a bulk edit replaced, kept for one undo, with the ETags the edit produced.</summary>
public sealed record PromptUndo(DateTimeOffset AppliedAt, IReadOnlyList<PromptUndoEntry> Entries);

public sealed record PromptUndoEntry(string Stem, string PreviousPrompt, string ETagAfterEdit);
