using System.Text.Json;

namespace AceTrainer.ServiceDefaults;

/// <summary>One JSON convention for events on Redis and bodies on the wire: camelCase, web defaults.</summary>
public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
