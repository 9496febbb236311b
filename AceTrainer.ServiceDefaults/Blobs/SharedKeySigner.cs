using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>
/// SharedKey authorization for the Blob service: HMAC-SHA256 of the canonical string-to-sign
/// (verb, standard headers, x-ms-* headers, resource) with the account key.
/// </summary>
internal sealed class SharedKeySigner(string accountName, byte[] accountKey)
{
    /// <summary>Stamps x-ms-date and Authorization; call last, after every header and the content are set.</summary>
    public void Sign(HttpRequestMessage request)
    {
        request.Headers.Remove("x-ms-date");
        request.Headers.TryAddWithoutValidation("x-ms-date", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accountKey, Encoding.UTF8.GetBytes(StringToSign(request))));
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", $"SharedKey {accountName}:{signature}");
    }

    internal string StringToSign(HttpRequestMessage request)
    {
        var content = request.Content?.Headers;
        var length = content?.ContentLength;
        var builder = new StringBuilder(256)
            .Append(request.Method.Method).Append('\n')
            .Append(Value(content, "Content-Encoding")).Append('\n')
            .Append(Value(content, "Content-Language")).Append('\n')
            .Append(length is null or 0 ? "" : length.Value.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Value(content, "Content-MD5")).Append('\n')
            .Append(Value(content, "Content-Type")).Append('\n')
            .Append('\n') // Date: empty because x-ms-date is sent instead
            .Append(Value(request.Headers, "If-Modified-Since")).Append('\n')
            .Append(Value(request.Headers, "If-Match")).Append('\n')
            .Append(Value(request.Headers, "If-None-Match")).Append('\n')
            .Append(Value(request.Headers, "If-Unmodified-Since")).Append('\n')
            .Append(Value(request.Headers, "Range")).Append('\n');
        AppendCanonicalHeaders(builder, request.Headers);
        AppendCanonicalResource(builder, request.RequestUri!);
        return builder.ToString();
    }

    private static void AppendCanonicalHeaders(StringBuilder builder, HttpRequestHeaders headers)
    {
        var msHeaders = headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(",", h.Value.Select(v => v.Trim()))))
            .OrderBy(h => h.Name, StringComparer.Ordinal);
        foreach (var (name, value) in msHeaders)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    private void AppendCanonicalResource(StringBuilder builder, Uri uri)
    {
        // Path as sent (still percent-encoded); with path-style endpoints (Azurite) it already holds the account.
        builder.Append('/').Append(accountName).Append(uri.AbsolutePath);
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return;
        }
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Name: Uri.UnescapeDataString(parts[0]).ToLowerInvariant(),
                Value: parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : ""))
            .GroupBy(p => p.Name)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var values = parameter.Select(p => p.Value).Order(StringComparer.Ordinal);
            builder.Append('\n').Append(parameter.Key).Append(':').Append(string.Join(",", values));
        }
    }

    private static string Value(HttpHeaders? headers, string name) =>
        headers is not null && headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";
}
