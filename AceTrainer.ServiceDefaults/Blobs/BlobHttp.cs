using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>Header conventions of the Blob REST API shared by every operation: requests in, results and errors out.</summary>
internal static partial class BlobHttp
{
    public const string ApiVersion = "2023-11-03";
    private const string MetadataPrefix = "x-ms-meta-";

    public static void AddConditions(HttpRequestMessage request, BlobConditions? conditions)
    {
        if (conditions?.IfMatch is { } ifMatch)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        if (conditions?.IfNoneMatch is { } ifNoneMatch)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
    }

    public static void AddMetadata(HttpRequestMessage request, IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            if (!MetadataName().IsMatch(name))
            {
                throw new ArgumentException($"Metadata name '{name}' must be a C# identifier (letters, digits, '_').", nameof(metadata));
            }
            if (!value.All(char.IsAscii) || value.Any(char.IsControl))
            {
                throw new ArgumentException($"Metadata '{name}' must have a printable ASCII value.", nameof(metadata));
            }
            request.Headers.TryAddWithoutValidation(MetadataPrefix + name, value);
        }
    }

    public static BlobWriteResult ReadWriteResult(HttpResponseMessage response) =>
        new(ReadETag(response), response.Content.Headers.LastModified ?? ParseDate(Header(response, "Last-Modified")));

    /// <summary>Properties from Get Blob / Get Blob Properties headers; <paramref name="size"/> is the whole blob's length.</summary>
    public static BlobProperties ReadProperties(HttpResponseMessage response, long size) => new(
        size,
        ReadETag(response),
        response.Content.Headers.LastModified ?? DateTimeOffset.MinValue,
        response.Content.Headers.ContentType?.ToString(),
        ReadMetadata(response));

    public static string ReadETag(HttpResponseMessage response) =>
        Header(response, "ETag") ?? throw new InvalidOperationException("Blob service response lacks an ETag header.");

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : null;

    public static DateTimeOffset ParseDate(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : DateTimeOffset.MinValue;

    /// <summary>Turns an error response into the exception callers catch; reads the body (small XML) for the message.</summary>
    public static async Task<BlobStorageException> ToExceptionAsync(
        HttpResponseMessage response, string operation, string resource, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var errorCode = Header(response, "x-ms-error-code");
        var serviceMessage = await ReadErrorMessageAsync(response, cancellationToken);
        errorCode ??= serviceMessage.Code;
        var detail = serviceMessage.Message ?? response.ReasonPhrase ?? "no message";
        var text = $"{operation} '{resource}' failed: {(int)status} {errorCode ?? status.ToString()}: {detail}";

        if (status is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotModified
            || (status == HttpStatusCode.Conflict && errorCode == "BlobAlreadyExists"))
        {
            return new BlobConditionFailedException(status, errorCode, text);
        }
        if (status == HttpStatusCode.Forbidden && errorCode is "AuthenticationFailed" or "AuthorizationFailure")
        {
            return new BlobAuthenticationException(status, errorCode,
                $"{text} (the request signature was rejected: check the connection string's AccountName and AccountKey)");
        }
        return new BlobStorageException(status, errorCode, text);
    }

    private static async Task<(string? Code, string? Message)> ReadErrorMessageAsync(
        HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(body))
            {
                return (null, null);
            }
            var error = XDocument.Parse(body).Root;
            var message = error?.Element("Message")?.Value.Split('\n')[0].Trim();
            return (error?.Element("Code")?.Value, message);
        }
        catch (System.Xml.XmlException)
        {
            return (null, null);
        }
    }

    private static Dictionary<string, string> ReadMetadata(HttpResponseMessage response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers)
        {
            if (name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                metadata[name[MetadataPrefix.Length..]] = string.Join(",", values);
            }
        }
        return metadata;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex MetadataName();
}
