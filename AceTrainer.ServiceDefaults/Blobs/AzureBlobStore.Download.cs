using System.Globalization;
using System.Net;

namespace AceTrainer.ServiceDefaults.Blobs;

public sealed partial class AzureBlobStore
{
    public async Task<BlobDownload?> DownloadAsync(
        string container, string blobName, BlobDownloadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Get, BlobPath(container, blobName));
        if (options?.Range is { } range)
        {
            request.Headers.TryAddWithoutValidation("x-ms-range", range.ToHeaderValue());
        }
        BlobHttp.AddConditions(request, options?.Conditions);

        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                response.Dispose();
                return null;
            }
            await EnsureSuccessAsync(response, "Get Blob", $"{container}/{blobName}", cancellationToken);

            var contentLength = response.Content.Headers.ContentLength ?? -1;
            var contentRange = BlobHttp.Header(response, "Content-Range");
            var totalSize = response.StatusCode == HttpStatusCode.PartialContent
                ? TotalFromContentRange(contentRange) ?? contentLength
                : contentLength;
            var properties = BlobHttp.ReadProperties(response, totalSize);
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new BlobDownload(response, stream, properties, contentLength, contentRange);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    // "bytes 0-99/1234" → 1234
    private static long? TotalFromContentRange(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            ? total
            : null;
    }
}

/// <summary>An open download: read <see cref="Content"/> to the end, then dispose to release the connection.</summary>
public sealed class BlobDownload : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _response;

    internal BlobDownload(HttpResponseMessage response, Stream content, BlobProperties properties, long contentLength, string? contentRange)
    {
        _response = response;
        Content = content;
        Properties = properties;
        ContentLength = contentLength;
        ContentRange = contentRange;
    }

    /// <summary>The body, streamed from the socket (not buffered).</summary>
    public Stream Content { get; }

    /// <summary>Bytes in this response: the range's length for a ranged download.</summary>
    public long ContentLength { get; }

    /// <summary>e.g. "bytes 0-99/1234" for a ranged download; null for a whole-blob download.</summary>
    public string? ContentRange { get; }

    /// <summary>Whole-blob properties; <see cref="BlobProperties.Size"/> is the total size even for a range.</summary>
    public BlobProperties Properties { get; }

    public long TotalSize => Properties.Size;

    public string ETag => Properties.ETag;

    public string? ContentType => Properties.ContentType;

    public IReadOnlyDictionary<string, string> Metadata => Properties.Metadata;

    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        _response.Dispose();
    }
}
