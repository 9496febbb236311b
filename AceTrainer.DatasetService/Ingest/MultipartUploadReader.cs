using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace AceTrainer.DatasetService.Ingest;

/// <summary>
/// Streams a multipart/form-data body section by section: file parts go straight to staging files, never into memory.
/// Text parts named stem, prompt, lyrics and instrumental describe the file part that follows them.
/// </summary>
public static class MultipartUploadReader
{
    private const int MaxFieldChars = 64 * 1024;

    public static async Task<IReadOnlyList<StagedAudio>> StageAsync(HttpRequest request, string stagingDirectory, DatasetOptions options,
        CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw new BadHttpRequestException("Send the audio as multipart/form-data.", StatusCodes.Status415UnsupportedMediaType);
        }
        // The per-file limit is enforced while staging; the server-wide body limit would cut several large files short.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = null;
        }
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
        var staged = new List<StagedAudio>();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (string.IsNullOrEmpty(fileName))
                {
                    fields[name] = await ReadFieldAsync(section.Body, cancellationToken);
                    continue;
                }
                if (staged.Count == options.MaxFilesPerRequest)
                {
                    throw new AudioRejectedException(fileName, $"more than {options.MaxFilesPerRequest} files in one request", StatusCodes.Status413PayloadTooLarge);
                }
                var sampleFields = new SampleFields(
                    fields.GetValueOrDefault("stem"),
                    fields.GetValueOrDefault("prompt", ""),
                    fields.GetValueOrDefault("lyrics", ""),
                    bool.TryParse(fields.GetValueOrDefault("instrumental"), out var instrumental) && instrumental);
                fields.Clear();
                staged.Add(await StagedAudio.StageAsync(section.Body, Path.GetFileName(fileName), sampleFields, stagingDirectory,
                    options.MaxFileBytes, cancellationToken));
            }
            return staged;
        }
        catch
        {
            staged.ForEach(s => s.Dispose());
            throw;
        }
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body);
        var buffer = new char[MaxFieldChars + 1];
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        return read > MaxFieldChars
            ? throw new BadHttpRequestException($"A form field is longer than {MaxFieldChars} characters.")
            : new string(buffer, 0, read);
    }
}
