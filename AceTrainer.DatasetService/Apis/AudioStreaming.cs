using AceTrainer.ServiceDefaults.Blobs;
using Microsoft.Net.Http.Headers;

namespace AceTrainer.DatasetService.Apis;

/// <summary>Serves a blob with single-range support (what audio elements and waveform loaders ask for), one ranged blob read per request.</summary>
public static class AudioStreaming
{
    public static async Task<IResult> StreamAsync(IBlobStore blobs, string container, string blobName, string contentType,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (await blobs.GetPropertiesAsync(container, blobName, cancellationToken) is not { } properties)
        {
            return TypedResults.NotFound();
        }
        var size = properties.Size;
        var response = context.Response;
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = properties.ETag;
        BlobRange? range = null;
        var rangeHeader = context.Request.Headers.Range.ToString();
        if (rangeHeader.Length > 0 && RangeHeaderValue.TryParse(rangeHeader, out var parsed) && parsed.Ranges.Count == 1 && parsed.Unit == "bytes")
        {
            var item = parsed.Ranges.First();
            long from, to;
            if (item.From is { } start)
            {
                from = start;
                to = Math.Min(item.To ?? size - 1, size - 1);
            }
            else
            {
                from = Math.Max(0, size - (item.To ?? 0));
                to = size - 1;
            }
            if (from >= size || from > to || (item.From is null && item.To is 0))
            {
                response.Headers.ContentRange = $"bytes */{size}";
                return TypedResults.StatusCode(StatusCodes.Status416RangeNotSatisfiable);
            }
            range = new BlobRange(from, to - from + 1);
        }
        await using var download = await blobs.DownloadAsync(container, blobName, new BlobDownloadOptions { Range = range }, cancellationToken);
        if (download is null)
        {
            return TypedResults.NotFound();
        }
        response.ContentType = contentType;
        response.ContentLength = download.ContentLength;
        if (range is { } r)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {r.Offset}-{r.Offset + r.Length - 1}/{size}";
        }
        await download.Content.CopyToAsync(response.Body, cancellationToken);
        return TypedResults.Empty;
    }
}
