using AceTrainer.DatasetService.Storage;
using AceTrainer.DatasetService.Validation;
using AceTrainer.ServiceDefaults.Datasets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AceTrainer.DatasetService.Apis;

public static class DatasetsApi
{
    /// <summary>Every dataset route under /api/datasets (and /api/snapshots).</summary>
    public static IEndpointRouteBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var datasets = app.MapGroup("/api/datasets").WithTags("Datasets");
        datasets.MapGet("/", ListDatasets);
        datasets.MapPost("/", CreateDataset);
        datasets.MapGet("/{datasetId}", GetDataset);
        datasets.MapPatch("/{datasetId}", UpdateDataset);
        datasets.MapDelete("/{datasetId}", DeleteDataset);
        datasets.MapGet("/{datasetId}/validation", Validate);
        datasets.MapSamplesApi().MapPromptsApi().MapTransferApi();
        app.MapSnapshotsApi(datasets);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<DatasetSummary>>> ListDatasets(DatasetCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(await catalog.ListAsync(cancellationToken));

    public static async Task<Results<Created<DatasetSummary>, ProblemHttpResult>> CreateDataset(CreateDatasetRequest request,
        DatasetCatalog catalog, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return TypedResults.Problem("A dataset needs a name.", statusCode: StatusCodes.Status400BadRequest);
        }
        var created = await catalog.CreateAsync(request, cancellationToken);
        return TypedResults.Created($"/api/datasets/{created.Id}", created);
    }

    public static async Task<Results<Ok<DatasetSummary>, NotFound>> GetDataset(string datasetId, DatasetCatalog catalog,
        CancellationToken cancellationToken) =>
        await catalog.GetSummaryAsync(datasetId, cancellationToken) is { } summary ? TypedResults.Ok(summary) : TypedResults.NotFound();

    /// <summary>Rename and/or set the trigger word.</summary>
    public static async Task<Results<Ok<DatasetSummary>, NotFound, ProblemHttpResult>> UpdateDataset(string datasetId,
        UpdateDatasetRequest request, DatasetCatalog catalog, CancellationToken cancellationToken)
    {
        if (request.Name is not null && string.IsNullOrWhiteSpace(request.Name))
        {
            return TypedResults.Problem("A dataset name cannot be empty.", statusCode: StatusCodes.Status400BadRequest);
        }
        return await catalog.UpdateAsync(datasetId, request, cancellationToken) is { } summary ? TypedResults.Ok(summary) : TypedResults.NotFound();
    }

    public static async Task<Results<NoContent, NotFound>> DeleteDataset(string datasetId, DatasetCatalog catalog,
        CancellationToken cancellationToken) =>
        await catalog.DeleteAsync(datasetId, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<Results<Ok<ValidationReport>, NotFound>> Validate(string datasetId, DatasetStore store,
        CancellationToken cancellationToken)
    {
        if (await store.GetManifestAsync(datasetId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }
        var samples = await store.ListSamplesAsync(datasetId, cancellationToken);
        return TypedResults.Ok(SampleValidator.Report(datasetId, samples.Select(s => s.Value).ToList()));
    }
}
