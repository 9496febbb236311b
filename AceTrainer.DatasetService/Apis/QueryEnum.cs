namespace AceTrainer.DatasetService.Apis;

/// <summary>
/// Enum values in query strings, in any case ("rename", "Rename"): minimal APIs bind enums case-sensitively and answer
/// an unknown value with a bare 400.
/// </summary>
public static class QueryEnum
{
    /// <summary>The fallback when <paramref name="value"/> is absent; null when it names no member.</summary>
    public static TEnum? Parse<TEnum>(string? value, TEnum fallback) where TEnum : struct, Enum =>
        string.IsNullOrEmpty(value) ? fallback
        : !value.All(char.IsAsciiLetter) ? null
        : Enum.TryParse<TEnum>(value, ignoreCase: true, out var parsed) ? parsed
        : null;

    public static IResult Unknown<TEnum>(string parameter, string? value) where TEnum : struct, Enum => TypedResults.Problem(
        title: "Unknown query value",
        detail: $"'{value}' is not a value of {parameter}; use one of: {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}.",
        statusCode: StatusCodes.Status400BadRequest);
}
