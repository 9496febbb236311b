using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults.Datasets;

[JsonConverter(typeof(JsonStringEnumConverter<PromptOperation>))]
public enum PromptOperation { Prepend, Append, Replace }

/// <summary>
/// One bulk edit of every prompt in a dataset. Prepend/Append take <see cref="Text"/> (comma-separated tags; tags a prompt
/// already has are not added again). Replace takes <see cref="Find"/> and <see cref="ReplaceWith"/>: a plain substring
/// replacement, or with <see cref="WholeTag"/> only tags equal to Find (case-insensitive); an empty ReplaceWith then removes the tag.
/// </summary>
public sealed record PromptEditRequest(
    PromptOperation Operation,
    string? Text = null,
    string? Find = null,
    string? ReplaceWith = null,
    bool WholeTag = false);

public sealed record PromptChange(string Stem, string Before, string After);

public sealed record PromptEditPreview(int ChangedCount, IReadOnlyList<PromptChange> Changes);

/// <param name="UndoAvailable">True when a following POST .../prompts/undo would restore the prompts changed here.</param>
public sealed record PromptEditResult(int ChangedCount, IReadOnlyList<PromptChange> Changes, bool UndoAvailable);
