using System.Text.Json;
using AceTrainer.AceStep.Training;

namespace AceTrainer.TrainingService.Runs;

/// <summary>
/// The config object of a run as the API takes and stores it: the CLI's run.json fields (snake_case), unknown fields
/// rejected, and the fields the worker owns (folders, resume) refused rather than silently overwritten.
/// </summary>
public static class RunConfigJson
{
    /// <summary>Fields the worker fills in for each attempt.</summary>
    public static readonly IReadOnlyList<string> WorkerFields = ["dataset_dir", "output_dir", "cache_dir", "resume_from"];

    private static readonly JsonSerializerOptions Strict = new()
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses the object; on failure returns null and the field → message pairs that say why.</summary>
    public static TrainingConfig? Parse(JsonElement? json, Dictionary<string, string> errors)
    {
        if (json is not { ValueKind: JsonValueKind.Object } element)
        {
            errors["config"] = "a config object is required (the fields of run.json)";
            return null;
        }
        foreach (var field in WorkerFields)
        {
            if (element.TryGetProperty(field, out _)) errors[field] = "is set by the worker for each run; leave it out";
        }
        try
        {
            return JsonSerializer.Deserialize<TrainingConfig>(element, Strict);
        }
        catch (JsonException error)
        {
            errors[FieldOf(error.Path)] = error.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? "unknown field"
                : "has the wrong type (numbers must be finite numbers, lists must be lists)";
            return null;
        }
    }

    /// <summary>The config as the record stores it and the API shows it: exactly what will train, without the worker's fields.</summary>
    public static JsonElement ToElement(TrainingConfig config)
    {
        var json = JsonSerializer.SerializeToNode(config)!.AsObject();
        foreach (var field in WorkerFields) json.Remove(field);
        return JsonSerializer.SerializeToElement(json);
    }

    public static TrainingConfig FromElement(JsonElement element) =>
        element.Deserialize<TrainingConfig>() ?? throw new InvalidDataException("the run's config is empty");

    // "$.lora.r" -> "lora.r"; "$['learning_rate']" -> "learning_rate"
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$"
            ? "config"
            : path.TrimStart('$', '.').Replace("['", ".").Replace("']", "").TrimStart('.');
}
