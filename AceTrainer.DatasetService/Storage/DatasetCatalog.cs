using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Storage;

/// <summary>Dataset-level operations: manifests, summaries and deletion.</summary>
public sealed class DatasetCatalog(DatasetStore store, SummaryCache cache, TimeProvider clock)
{
    public async Task<DatasetSummary> CreateAsync(CreateDatasetRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var manifest = new DatasetManifest(DatasetIds.New(), request.Name.Trim(), (request.TriggerWord ?? "").Trim(), now, now);
        await store.WriteAsync(BlobLayout.Manifest(manifest.Id), manifest, BlobConditions.IfNotExists, null, cancellationToken);
        return ToSummary(manifest, []);
    }

    public async Task<IReadOnlyList<DatasetSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var ids = await store.ListDatasetIdsAsync(cancellationToken);
        var summaries = await Task.WhenAll(ids.Select(id => GetSummaryAsync(id, cancellationToken)));
        return summaries.OfType<DatasetSummary>().OrderBy(s => s.CreatedAt).ToList();
    }

    public async Task<DatasetSummary?> GetSummaryAsync(string datasetId, CancellationToken cancellationToken)
    {
        var cached = await cache.GetAsync(datasetId, cancellationToken);
        if (cached.Summary is { } summary)
        {
            return summary;
        }
        // A folder without a manifest is a dataset being deleted (or a stray): not listed.
        if (await store.GetManifestAsync(datasetId, cancellationToken) is not { } manifest)
        {
            return null;
        }
        summary = ToSummary(manifest.Value, await store.ListSampleDurationsAsync(datasetId, cancellationToken));
        await cache.SetAsync(summary, cached.Generation, cancellationToken);
        return summary;
    }

    /// <summary>Applies the change with a compare-and-swap on the manifest's ETag, retrying if someone else wrote first.</summary>
    public async Task<DatasetSummary?> UpdateAsync(string datasetId, UpdateDatasetRequest request, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await store.GetManifestAsync(datasetId, cancellationToken) is not { } current)
            {
                return null;
            }
            var updated = current.Value with
            {
                Name = request.Name?.Trim() ?? current.Value.Name,
                TriggerWord = request.TriggerWord?.Trim() ?? current.Value.TriggerWord,
                UpdatedAt = clock.GetUtcNow(),
            };
            try
            {
                await store.WriteAsync(BlobLayout.Manifest(datasetId), updated, BlobConditions.IfETagMatches(current.ETag), null, cancellationToken);
            }
            catch (BlobConditionFailedException)
            {
                continue;
            }
            await cache.InvalidateAsync(datasetId);
            return await GetSummaryAsync(datasetId, cancellationToken);
        }
    }

    /// <summary>
    /// Removes the manifest first (the dataset vanishes from listings at once), then its records. Audio blobs and
    /// snapshots stay: snapshots refer to them.
    /// </summary>
    public async Task<bool> DeleteAsync(string datasetId, CancellationToken cancellationToken)
    {
        if (!DatasetIds.IsValid(datasetId) || !await store.Blobs.DeleteAsync(store.Container, BlobLayout.Manifest(datasetId), cancellationToken: cancellationToken))
        {
            return false;
        }
        await cache.InvalidateAsync(datasetId);
        await store.DeletePrefixAsync(BlobLayout.DatasetPrefix(datasetId), cancellationToken);
        await cache.InvalidateAsync(datasetId);
        return true;
    }

    private static DatasetSummary ToSummary(DatasetManifest manifest, IReadOnlyList<(string Stem, double DurationSeconds)> samples) =>
        new(manifest.Id, manifest.Name, manifest.TriggerWord, samples.Count,
            Math.Round(samples.Sum(s => s.DurationSeconds), 3), manifest.CreatedAt, manifest.UpdatedAt);

    private static DatasetSummary ToSummary(Versioned<DatasetManifest> manifest, IReadOnlyList<(string Stem, double DurationSeconds)> samples) =>
        ToSummary(manifest.Value, samples);
}
