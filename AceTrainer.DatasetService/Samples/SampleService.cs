using AceTrainer.DatasetService.Storage;
using AceTrainer.DatasetService.Validation;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Samples;

public abstract record SaveOutcome
{
    public sealed record Saved(SampleResponse Sample) : SaveOutcome;
    public sealed record Conflict(SampleResponse Current) : SaveOutcome;
    public sealed record NotFound : SaveOutcome;
    public sealed record Deleted : SaveOutcome;
}

/// <summary>Reads and edits single samples; saves are compare-and-swap on the record's ETag.</summary>
public sealed class SampleService(DatasetStore store, SummaryCache cache, TimeProvider clock)
{
    public static SampleResponse ToResponse(Versioned<SampleRecord> sample)
    {
        var r = sample.Value;
        return new SampleResponse(r.Stem, sample.ETag, r.Prompt, r.Lyrics, r.Instrumental, r.Audio.FileName, r.Audio.Size,
            r.Audio.Sha256, r.Facts, SampleValidator.Validate(r), r.UpdatedAt);
    }

    public async Task<IReadOnlyList<SampleResponse>> ListAsync(string datasetId, CancellationToken cancellationToken) =>
        (await store.ListSamplesAsync(datasetId, cancellationToken)).Select(ToResponse).ToList();

    /// <summary>
    /// Saves the edit if the record still has <paramref name="ifMatch"/>; with <paramref name="force"/> instead, over
    /// whatever version is current (still a compare-and-swap, so audio facts changed meanwhile are not lost).
    /// </summary>
    public async Task<SaveOutcome> SaveAsync(string datasetId, string stem, UpdateSampleRequest edit, string? ifMatch, bool force,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await store.GetSampleAsync(datasetId, stem, cancellationToken) is not { } current)
            {
                return new SaveOutcome.NotFound();
            }
            if (!force && current.ETag != ifMatch)
            {
                return new SaveOutcome.Conflict(ToResponse(current));
            }
            var updated = current.Value with
            {
                Prompt = edit.Prompt.Trim(),
                Lyrics = edit.Lyrics.Trim(),
                Instrumental = edit.Instrumental,
                UpdatedAt = clock.GetUtcNow(),
            };
            try
            {
                var etag = await store.WriteSampleAsync(datasetId, updated, BlobConditions.IfETagMatches(current.ETag), cancellationToken);
                return new SaveOutcome.Saved(ToResponse(new Versioned<SampleRecord>(updated, etag)));
            }
            catch (BlobConditionFailedException)
            {
                // Someone saved between our read and write: a forced save retries, a conditional one reports the conflict.
            }
        }
    }

    /// <summary>Deletes the record (not the audio: snapshots may share it); with an ETag only if it is still that version.</summary>
    public async Task<SaveOutcome> DeleteAsync(string datasetId, string stem, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!StemNames.IsValid(stem))
        {
            return new SaveOutcome.NotFound();
        }
        try
        {
            var conditions = ifMatch is null ? null : BlobConditions.IfETagMatches(ifMatch);
            if (!await store.Blobs.DeleteAsync(store.Container, BlobLayout.Sample(datasetId, stem), conditions, cancellationToken))
            {
                return new SaveOutcome.NotFound();
            }
        }
        catch (BlobConditionFailedException)
        {
            return await store.GetSampleAsync(datasetId, stem, cancellationToken) is { } current
                ? new SaveOutcome.Conflict(ToResponse(current))
                : new SaveOutcome.NotFound();
        }
        await cache.InvalidateAsync(datasetId);
        return new SaveOutcome.Deleted();
    }
}
