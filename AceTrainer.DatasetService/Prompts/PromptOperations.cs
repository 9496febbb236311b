using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Prompts;

/// <summary>Pure prompt edits. Prompts are comma-separated tags; an edit that changes nothing returns the prompt untouched.</summary>
public static class PromptOperations
{
    /// <summary>Null when the request is valid, else what is wrong with it.</summary>
    public static string? Validate(PromptEditRequest request) => request.Operation switch
    {
        PromptOperation.Prepend or PromptOperation.Append when Tags(request.Text).Count == 0 => "Prepend and append need text with at least one tag.",
        PromptOperation.Replace when string.IsNullOrEmpty(request.Find) || (request.WholeTag && Tags(request.Find).Count != 1) =>
            "Replace needs a non-empty find text (one tag when wholeTag is set).",
        PromptOperation.Prepend or PromptOperation.Append or PromptOperation.Replace => null,
        _ => $"Unknown operation '{request.Operation}'.",
    };

    public static string Apply(string prompt, PromptEditRequest request) => request.Operation switch
    {
        PromptOperation.Prepend => AddTags(prompt, Tags(request.Text), atStart: true),
        PromptOperation.Append => AddTags(prompt, Tags(request.Text), atStart: false),
        PromptOperation.Replace when request.WholeTag => ReplaceTag(prompt, request.Find!.Trim(), (request.ReplaceWith ?? "").Trim()),
        PromptOperation.Replace => prompt.Replace(request.Find!, request.ReplaceWith ?? "", StringComparison.Ordinal),
        _ => prompt,
    };

    /// <summary>The trigger word goes first, once.</summary>
    public static string WithTriggerWord(string prompt, string triggerWord) =>
        string.IsNullOrWhiteSpace(triggerWord) ? prompt : AddTags(prompt, [triggerWord.Trim()], atStart: true);

    public static IReadOnlyList<string> Tags(string? prompt) =>
        (prompt ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string AddTags(string prompt, IReadOnlyList<string> tags, bool atStart)
    {
        var existing = Tags(prompt);
        var missing = tags.Where(t => !existing.Contains(t, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (missing.Count == 0)
        {
            return prompt;
        }
        return string.Join(", ", atStart ? missing.Concat(existing) : existing.Concat(missing));
    }

    private static string ReplaceTag(string prompt, string find, string replaceWith)
    {
        var tags = Tags(prompt);
        if (!tags.Contains(find, StringComparer.OrdinalIgnoreCase))
        {
            return prompt;
        }
        var replaced = tags.Select(t => t.Equals(find, StringComparison.OrdinalIgnoreCase) ? replaceWith : t).Where(t => t.Length > 0);
        return string.Join(", ", replaced.Distinct(StringComparer.OrdinalIgnoreCase));
    }
}
