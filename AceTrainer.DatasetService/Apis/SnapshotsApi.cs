using AceTrainer.DatasetService.Snapshots;
using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Datasets;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AceTrainer.DatasetService.Apis;

public static class SnapshotsApi
{
    public static IEndpointRouteBuilder MapSnapshotsApi(this IEndpointRouteBuilder app, RouteGroupBuilder datasets)
    {
        datasets.MapPost("/{datasetId}/snapshots", CreateSnapshot);
        datasets.MapGet("/{datasetId}/snapshots", ListSnapshots);
        var snapshots = app.MapGroup("/api/snapshots").WithTags("Snapshots");
        snapshots.MapGet("/{snapshotId}", GetSnapshot);
        snapshots.MapGet("/{snapshotId}/samples/{stem}/audio", StreamAudio);
        return app;
    }

    public static async Task<Results<Created<DatasetSnapshot>, NotFound>> CreateSnapshot(string datasetId, SnapshotService snapshots,
        CancellationToken cancellationToken) =>
        await snapshots.CreateAsync(datasetId, cancellationToken) is { } snapshot
            ? TypedResults.Created($"/api/snapshots/{snapshot.Id}", snapshot)
            : TypedResults.NotFound();

    public static async Task<Ok<IReadOnlyList<SnapshotSummary>>> ListSnapshots(string datasetId, SnapshotService snapshots,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(DatasetIds.IsValid(datasetId) ? await snapshots.ListAsync(datasetId, cancellationToken) : []);

    public static async Task<Results<Ok<DatasetSnapshot>, NotFound>> GetSnapshot(string snapshotId, SnapshotService snapshots,
        CancellationToken cancellationToken) =>
        await snapshots.GetAsync(snapshotId, cancellationToken) is { } snapshot ? TypedResults.Ok(snapshot) : TypedResults.NotFound();

    public static async Task<IResult> StreamAudio(string snapshotId, string stem, SnapshotService snapshots, DatasetStore store,
        HttpContext context, CancellationToken cancellationToken)
    {
        var sample = (await snapshots.GetAsync(snapshotId, cancellationToken))?.Samples.FirstOrDefault(s => s.Stem == stem);
        return sample is null
            ? TypedResults.NotFound()
            : await AudioStreaming.StreamAsync(store.Blobs, store.Container, sample.AudioBlob,
                Ingest.AudioFormats.ContentType(sample.FileName), context, cancellationToken);
    }
}
