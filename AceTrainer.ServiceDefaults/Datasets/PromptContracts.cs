using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults.Datasets;

[JsonConverter(typeof(JsonStringEnumConverter<PromptOperation>))]
public enum PromptOperation { Prepend, Append, Replace }

/// <summary>
/// One bulk edit of every prompt in a dataset. Prepend/Append take <see cref="Text"/> (comma-separated tags; tags a prompt
/// already has are not added again). Replace takes <see cref="Find"/> and <see cref="ReplaceWith"/>: a plain substring
/// replacement, or with <see cref="WholeTag"/> only tags equal to Find (case-insensitive); an empty ReplaceWith then removes the tag.
/// </summary>
/// <param name="PreviewToken">
/// Optional on apply: the token of the preview the user saw. The edit is then applied only if it would still change exactly
/// those samples, from exactly those versions, into exactly those prompts; otherwise 409 with the new preview.
/// </param>
public sealed record PromptEditRequest(
    PromptOperation Operation,
    string? Text = null,
    string? Find = null,
    string? ReplaceWith = null,
    bool WholeTag = false,
    string? PreviewToken = null);

public sealed record PromptChange(string Stem, string Before, string After);

/// <param name="PreviewToken">Send it back in <see cref="PromptEditRequest.PreviewToken"/> to apply exactly this preview.</param>
public sealed record PromptEditPreview(int ChangedCount, IReadOnlyList<PromptChange> Changes, string PreviewToken = "");

/// <param name="UndoAvailable">True when a following POST .../prompts/undo would restore the prompts changed here.</param>
public sealed record PromptEditResult(int ChangedCount, IReadOnlyList<PromptChange> Changes, bool UndoAvailable);

/// <summary>GET .../prompts/undo: whether the last bulk edit can still be undone, when it was applied and how many prompts it changed.</summary>
public sealed record PromptUndoStatus(bool Available, DateTimeOffset? AppliedAt, int ChangedCount);
