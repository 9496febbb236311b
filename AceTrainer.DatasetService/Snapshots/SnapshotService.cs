using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using AceTrainer.DatasetService.Prompts;
using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Snapshots;

/// <summary>
/// Freezes a dataset: the records are copied into one create-only snapshot blob (trigger word applied to the prompts)
/// that points at content-addressed audio, so later edits or deletes of the dataset cannot change it.
/// </summary>
public sealed partial class SnapshotService(DatasetStore store, TimeProvider clock)
{
    public async Task<DatasetSnapshot?> CreateAsync(string datasetId, CancellationToken cancellationToken)
    {
        if (await store.GetManifestAsync(datasetId, cancellationToken) is not { } manifest)
        {
            return null;
        }
        var samples = await store.ListSamplesAsync(datasetId, cancellationToken);
        var now = clock.GetUtcNow();
        var id = $"{datasetId}-{now.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var trigger = manifest.Value.TriggerWord;
        var snapshot = new DatasetSnapshot(id, datasetId, manifest.Value.Name, trigger, now,
            samples.Select(s => s.Value).Select(r => new SnapshotSample(r.Stem, PromptOperations.WithTriggerWord(r.Prompt, trigger), r.Lyrics,
                r.Instrumental, r.Audio.Blob, r.Audio.Sha256, r.Audio.FileName, r.Facts)).ToList());
        await store.WriteAsync(BlobLayout.Snapshot(datasetId, id), snapshot, BlobConditions.IfNotExists,
            new Dictionary<string, string> { ["samples"] = snapshot.Samples.Count.ToString(CultureInfo.InvariantCulture) }, cancellationToken);
        return snapshot;
    }

    public async Task<DatasetSnapshot?> GetAsync(string snapshotId, CancellationToken cancellationToken)
    {
        if (!SnapshotIdRegex().IsMatch(snapshotId))
        {
            return null;
        }
        return (await store.ReadAsync<DatasetSnapshot>(BlobLayout.Snapshot(snapshotId[..12], snapshotId), cancellationToken))?.Value;
    }

    /// <summary>Snapshots of a dataset, oldest first; they outlive the dataset itself.</summary>
    public async Task<IReadOnlyList<SnapshotSummary>> ListAsync(string datasetId, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var item in store.Blobs.ListAsync(store.Container, new BlobListOptions { Prefix = BlobLayout.SnapshotsPrefix(datasetId) }, cancellationToken))
        {
            names.Add(item.Name);
        }
        var snapshots = await Task.WhenAll(names.Select(n => store.ReadAsync<DatasetSnapshot>(n, cancellationToken)));
        return snapshots.OfType<Versioned<DatasetSnapshot>>()
            .Select(s => new SnapshotSummary(s.Value.Id, s.Value.DatasetId, s.Value.DatasetName, s.Value.Samples.Count, s.Value.CreatedAt))
            .OrderBy(s => s.CreatedAt)
            .ToList();
    }

    [GeneratedRegex("^[0-9a-f]{12}-[0-9]{8}T[0-9]{9}-[0-9a-f]{6}$")]
    private static partial Regex SnapshotIdRegex();
}
