using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.DatasetService.Prompts;

/// <summary>
/// Writes several sample records all or none: each write is conditioned on the ETag read before, and if one fails the
/// records already written are put back (conditioned on the ETags we produced, so a newer edit is never clobbered).
/// </summary>
public static class AtomicSampleBatch
{
    public static async Task<IReadOnlyList<string>> WriteAllAsync(DatasetStore store, string datasetId,
        IReadOnlyList<(Versioned<SampleRecord> Current, SampleRecord Updated)> changes, CancellationToken cancellationToken)
    {
        var written = new List<(Versioned<SampleRecord> Current, string NewETag)>();
        foreach (var (current, updated) in changes)
        {
            try
            {
                var etag = await store.WriteSampleAsync(datasetId, updated, BlobConditions.IfETagMatches(current.ETag), cancellationToken);
                written.Add((current, etag));
            }
            catch (Exception ex) when (ex is BlobConditionFailedException or BlobStorageException or HttpRequestException or OperationCanceledException)
            {
                var notRestored = await RollBackAsync(store, datasetId, written);
                if (ex is BlobConditionFailedException)
                {
                    throw new BatchConflictException(current.Value.Stem, notRestored);
                }
                throw;
            }
        }
        return written.Select(w => w.NewETag).ToList();
    }

    private static async Task<IReadOnlyList<string>> RollBackAsync(DatasetStore store, string datasetId,
        IReadOnlyList<(Versioned<SampleRecord> Current, string NewETag)> written)
    {
        var notRestored = new List<string>();
        foreach (var (previous, newETag) in written)
        {
            try
            {
                await store.WriteSampleAsync(datasetId, previous.Value, BlobConditions.IfETagMatches(newETag), CancellationToken.None);
            }
            catch (Exception ex) when (ex is BlobStorageException or HttpRequestException)
            {
                notRestored.Add(previous.Value.Stem);
            }
        }
        return notRestored;
    }
}
