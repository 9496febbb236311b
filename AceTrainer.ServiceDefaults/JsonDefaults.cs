using System.Text.Json;
using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults;

/// <summary>One JSON convention for events on Redis and bodies on the wire: camelCase, web defaults; NaN and infinities as strings (a diverged loss must not break an event).</summary>
public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
