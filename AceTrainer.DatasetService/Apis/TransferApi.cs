using AceTrainer.DatasetService.Storage;
using AceTrainer.DatasetService.Zip;
using AceTrainer.ServiceDefaults.Datasets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace AceTrainer.DatasetService.Apis;

public static class TransferApi
{
    public static RouteGroupBuilder MapTransferApi(this RouteGroupBuilder datasets)
    {
        datasets.MapPost("/{datasetId}/import", Import).DisableAntiforgery();
        datasets.MapGet("/{datasetId}/export", Export);
        return datasets;
    }

    /// <summary>The request body is the zip itself (Content-Type application/zip).</summary>
    public static async Task<IResult> Import(string datasetId, HttpRequest request, DatasetStore store, ZipImporter importer,
        [FromQuery] string? onConflict = null, CancellationToken cancellationToken = default)
    {
        if (QueryEnum.Parse(onConflict, StemConflictMode.Rename) is not { } conflictMode)
        {
            return QueryEnum.Unknown<StemConflictMode>(nameof(onConflict), onConflict);
        }
        if (await store.GetManifestAsync(datasetId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            // MaxZipBytes is enforced while staging.
            bodyLimit.MaxRequestBodySize = null;
        }
        try
        {
            return TypedResults.Ok(await importer.ImportAsync(datasetId, request.Body, conflictMode, cancellationToken));
        }
        catch (ZipRejectedException rejected)
        {
            return TypedResults.Problem(title: "Archive rejected", detail: rejected.Message, statusCode: rejected.StatusCode);
        }
    }

    public static async Task<IResult> Export(string datasetId, DatasetStore store, ZipExporter exporter, HttpContext context,
        [FromQuery(Name = "layout")] string? layoutName = null, CancellationToken cancellationToken = default)
    {
        if (QueryEnum.Parse(layoutName, DatasetLayout.Upstream) is not { } layout)
        {
            return QueryEnum.Unknown<DatasetLayout>("layout", layoutName);
        }
        if (await store.GetManifestAsync(datasetId, cancellationToken) is not { } manifest)
        {
            return TypedResults.NotFound();
        }
        var samples = await store.ListSamplesAsync(datasetId, cancellationToken);
        var response = context.Response;
        response.ContentType = "application/zip";
        response.Headers.ContentDisposition = $"attachment; filename=\"{StemNames.Sanitize(manifest.Value.Name)}-{layout.ToString().ToLowerInvariant()}.zip\"";
        await exporter.WriteAsync(samples, layout, response.Body, cancellationToken);
        return TypedResults.Empty;
    }
}
