using AceTrainer.DatasetService.Audio;
using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Datasets;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Ingest;

/// <summary>
/// Turns staged files into samples, all or none: every file is probed before anything is written, and if a later write
/// fails the records already written for the batch are removed again. Audio goes to content-addressed blobs.
/// </summary>
public sealed class SampleIngestor(DatasetStore store, AudioProber prober, SummaryCache cache, TimeProvider clock, IOptions<DatasetOptions> options)
{
    private const int MaxRenameAttempts = 1000;

    public string StagingDirectory { get; } = string.IsNullOrWhiteSpace(options.Value.StagingDirectory)
        ? Path.GetTempPath()
        : Directory.CreateDirectory(options.Value.StagingDirectory).FullName;

    /// <summary>Probes every file; the first rejection (in upload order) is thrown.</summary>
    public async Task ProbeAllAsync(IReadOnlyList<StagedAudio> files, CancellationToken cancellationToken)
    {
        var outcomes = await Task.WhenAll(files.Select(f => prober.ProbeAsync(f.TempPath, cancellationToken)));
        for (var i = 0; i < files.Count; i++)
        {
            if (outcomes[i].Rejection is { } reason)
            {
                throw new AudioRejectedException(files[i].FileName, reason, StatusCodes.Status422UnprocessableEntity);
            }
            files[i].Facts = outcomes[i].Facts;
        }
    }

    public async Task<IReadOnlyList<UploadedSample>> CommitAllAsync(string datasetId, IReadOnlyList<StagedAudio> files,
        StemConflictMode onConflict, CancellationToken cancellationToken)
    {
        var stems = files.Select(f => StemNames.Sanitize(f.Fields.Stem ?? Path.GetFileNameWithoutExtension(f.FileName))).ToList();
        if (onConflict == StemConflictMode.Reject)
        {
            await EnsureNoConflictsAsync(datasetId, files, stems, cancellationToken);
        }
        var written = new List<UploadedSample>();
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                written.Add(await CommitAsync(datasetId, files[i], stems[i], onConflict, cancellationToken));
            }
            return written;
        }
        catch
        {
            foreach (var sample in written)
            {
                await store.Blobs.DeleteAsync(store.Container, BlobLayout.Sample(datasetId, sample.Stem), BlobConditions.IfETagMatches(sample.Version), CancellationToken.None);
            }
            throw;
        }
        finally
        {
            await cache.InvalidateAsync(datasetId);
        }
    }

    private async Task<UploadedSample> CommitAsync(string datasetId, StagedAudio file, string stem, StemConflictMode onConflict, CancellationToken cancellationToken)
    {
        var facts = file.Facts ?? throw new InvalidOperationException($"'{file.FileName}' was not probed.");
        var audio = await StoreAudioAsync(file, cancellationToken);
        var now = clock.GetUtcNow();
        var record = new SampleRecord(stem, file.Fields.Prompt.Trim(), file.Fields.Lyrics.Trim(), file.Fields.Instrumental, audio, facts, now, now);
        for (var attempt = 1; attempt <= MaxRenameAttempts; attempt++)
        {
            var candidate = attempt == 1 ? record : record with { Stem = StemNames.WithSuffix(stem, attempt) };
            try
            {
                var etag = await store.WriteSampleAsync(datasetId, candidate, BlobConditions.IfNotExists, cancellationToken);
                return new UploadedSample(file.FileName, candidate.Stem, etag, facts);
            }
            catch (BlobConditionFailedException) when (onConflict == StemConflictMode.Rename)
            {
                // Taken: try the next suffix. Create-only writes make this safe against concurrent uploads.
            }
            catch (BlobConditionFailedException)
            {
                throw new StemConflictException(file.FileName, stem);
            }
        }
        throw new StemConflictException(file.FileName, stem);
    }

    /// <summary>Identical content maps to the same blob, so an existing one is already right.</summary>
    private async Task<AudioRef> StoreAudioAsync(StagedAudio file, CancellationToken cancellationToken)
    {
        var blob = BlobLayout.Audio(file.Sha256, AudioFormats.Extension(file.FileName));
        var contentType = AudioFormats.ContentType(file.FileName);
        try
        {
            await using var content = new FileStream(file.TempPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
            await store.Blobs.UploadAsync(store.Container, blob, content,
                new BlobUploadOptions { ContentType = contentType, Conditions = BlobConditions.IfNotExists }, cancellationToken);
        }
        catch (BlobConditionFailedException)
        {
        }
        return new AudioRef(blob, file.Sha256, file.Size, Path.GetFileName(file.FileName), contentType);
    }

    private async Task EnsureNoConflictsAsync(string datasetId, IReadOnlyList<StagedAudio> files, IReadOnlyList<string> stems, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            if (!seen.Add(stems[i])
                || await store.Blobs.GetPropertiesAsync(store.Container, BlobLayout.Sample(datasetId, stems[i]), cancellationToken) is not null)
            {
                throw new StemConflictException(files[i].FileName, stems[i]);
            }
        }
    }
}
