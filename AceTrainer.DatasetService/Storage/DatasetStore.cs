using System.Globalization;
using System.Text.Json;
using AceTrainer.ServiceDefaults.Blobs;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Storage;

/// <summary>Reads and writes manifests, sample records and other JSON documents as blobs, always with ETags.</summary>
public sealed class DatasetStore(IBlobStore blobs, IOptions<DatasetOptions> options)
{
    public const string DurationMetadata = "durationMs";
    private const int ParallelReads = 8;

    public IBlobStore Blobs { get; } = blobs;

    public string Container { get; } = options.Value.Container;

    public async Task<Versioned<T>?> ReadAsync<T>(string blobName, CancellationToken cancellationToken)
    {
        await using var download = await Blobs.DownloadAsync(Container, blobName, cancellationToken: cancellationToken);
        if (download is null)
        {
            return null;
        }
        var value = await JsonSerializer.DeserializeAsync<T>(download.Content, StorageJson.Options, cancellationToken)
            ?? throw new InvalidDataException($"Blob '{blobName}' holds null.");
        return new Versioned<T>(value, download.Properties.ETag);
    }

    /// <summary>Writes the document; <paramref name="conditions"/> failing raises <see cref="BlobConditionFailedException"/>.</summary>
    public async Task<string> WriteAsync<T>(string blobName, T value, BlobConditions? conditions,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, StorageJson.Options);
        using var content = new MemoryStream(bytes, writable: false);
        var result = await Blobs.UploadAsync(Container, blobName, content, new BlobUploadOptions
        {
            ContentType = "application/json",
            Conditions = conditions,
            Metadata = metadata,
        }, cancellationToken);
        return result.ETag;
    }

    public Task<Versioned<DatasetManifest>?> GetManifestAsync(string datasetId, CancellationToken cancellationToken) =>
        DatasetIds.IsValid(datasetId)
            ? ReadAsync<DatasetManifest>(BlobLayout.Manifest(datasetId), cancellationToken)
            : Task.FromResult<Versioned<DatasetManifest>?>(null);

    public Task<Versioned<SampleRecord>?> GetSampleAsync(string datasetId, string stem, CancellationToken cancellationToken) =>
        StemNames.IsValid(stem)
            ? ReadAsync<SampleRecord>(BlobLayout.Sample(datasetId, stem), cancellationToken)
            : Task.FromResult<Versioned<SampleRecord>?>(null);

    public Task<string> WriteSampleAsync(string datasetId, SampleRecord record, BlobConditions? conditions, CancellationToken cancellationToken) =>
        WriteAsync(BlobLayout.Sample(datasetId, record.Stem), record, conditions,
            new Dictionary<string, string>
            {
                [DurationMetadata] = ((long)Math.Round(record.Facts.DurationSeconds * 1000)).ToString(CultureInfo.InvariantCulture),
            }, cancellationToken);

    public async Task<IReadOnlyList<string>> ListDatasetIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var listing = new BlobListOptions { Prefix = BlobLayout.DatasetsPrefix, Delimiter = "/" };
        await foreach (var item in Blobs.ListAsync(Container, listing, cancellationToken))
        {
            if (item.IsVirtualFolder)
            {
                ids.Add(item.Name[BlobLayout.DatasetsPrefix.Length..].TrimEnd('/'));
            }
        }
        return ids;
    }

    /// <summary>Sample stems with their durations, from one listing (durations ride along as blob metadata).</summary>
    public async Task<IReadOnlyList<(string Stem, double DurationSeconds)>> ListSampleDurationsAsync(
        string datasetId, CancellationToken cancellationToken)
    {
        var samples = new List<(string, double)>();
        var listing = new BlobListOptions { Prefix = BlobLayout.SamplesPrefix(datasetId), IncludeMetadata = true };
        await foreach (var item in Blobs.ListAsync(Container, listing, cancellationToken))
        {
            var ms = item.Properties?.Metadata.GetValueOrDefault(DurationMetadata);
            samples.Add((BlobLayout.StemOf(item.Name), long.TryParse(ms, CultureInfo.InvariantCulture, out var value) ? value / 1000.0 : 0));
        }
        return samples;
    }

    /// <summary>Every sample record of the dataset, ordered by stem (ordinal).</summary>
    public async Task<IReadOnlyList<Versioned<SampleRecord>>> ListSamplesAsync(string datasetId, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var item in Blobs.ListAsync(Container, new BlobListOptions { Prefix = BlobLayout.SamplesPrefix(datasetId) }, cancellationToken))
        {
            names.Add(item.Name);
        }
        var records = new Versioned<SampleRecord>?[names.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken },
            async (i, ct) => records[i] = await ReadAsync<SampleRecord>(names[i], ct));
        // A record deleted between listing and reading is simply gone.
        return records.OfType<Versioned<SampleRecord>>().OrderBy(r => r.Value.Stem, StringComparer.Ordinal).ToList();
    }

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var item in Blobs.ListAsync(Container, new BlobListOptions { Prefix = prefix }, cancellationToken))
        {
            names.Add(item.Name);
        }
        await Parallel.ForEachAsync(names,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken },
            async (name, ct) => await Blobs.DeleteAsync(Container, name, cancellationToken: ct));
        return names.Count;
    }
}
