using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Prompts;

/// <summary>A record changed between our read and our conditional write; the batch was rolled back.</summary>
public sealed class BatchConflictException(string stem, IReadOnlyList<string> notRestored)
    : Exception($"Sample '{stem}' was changed by someone else during the operation; nothing was changed."
                + (notRestored.Count > 0 ? $" Could not restore: {string.Join(", ", notRestored)}." : ""))
{
    public string Stem { get; } = stem;
    public IReadOnlyList<string> NotRestored { get; } = notRestored;
}

/// <summary>The edit would no longer do what its preview showed; nothing was changed.</summary>
public sealed class PreviewOutdatedException(PromptEditPreview current)
    : Exception("The prompts changed since the preview; nothing was changed. Check the new preview and apply again.")
{
    public PromptEditPreview Current { get; } = current;
}
