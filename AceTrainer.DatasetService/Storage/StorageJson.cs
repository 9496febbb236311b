using System.Text.Json;
using AceTrainer.ServiceDefaults;

namespace AceTrainer.DatasetService.Storage;

public static class StorageJson
{
    /// <summary>The wire convention, plus named floating-point literals (a silent file's peak is -Infinity before we map it).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonDefaults.Options)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
