using System.Text.Json;
using System.Text.RegularExpressions;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Runs;
using Microsoft.Extensions.Options;

namespace AceTrainer.TrainingService.Runs;

/// <summary>
/// Runs in blob storage, the durable truth (container <see cref="TrainingOptions.Container"/>):
/// runs/{id}/run.json (the record), metrics.jsonl, log.txt, logs/ (TensorBoard), checkpoints/{name}/ (the four files of
/// a checkpoint). The API and the worker both change a record, so every change is a compare-and-swap on its ETag.
/// </summary>
public sealed partial class RunStore(IBlobStore blobs, IOptions<TrainingOptions> options)
{
    public const string RecordFile = "run.json";
    public const string MetricsFile = "metrics.jsonl";
    public const string LogFile = "log.txt";
    public const string TensorBoardFolder = "logs";
    public const string CheckpointsFolder = "checkpoints";

    // Set once the container is known to exist; listing a missing container fails, and a fresh system has none yet.
    private volatile bool _containerReady;

    public IBlobStore Blobs { get; } = blobs;

    public string Container { get; } = options.Value.Container;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex IdPattern();

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    /// <summary>Sortable by creation time, unique enough across processes.</summary>
    public static string NewId(DateTimeOffset now) => $"{now:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4))}";

    public static string BlobName(string runId, string relative) => $"runs/{runId}/{relative}";

    public async Task<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default) =>
        (await ReadAsync(runId, cancellationToken))?.Record;

    public async Task CreateAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        await WriteAsync(record, BlobConditions.IfNotExists, cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current record and writes it if the record did not change meanwhile,
    /// else reads again and retries. <paramref name="change"/> returns null to leave the record as it is. Returns the
    /// record as stored afterwards, or null when there is no such run.
    /// </summary>
    public async Task<RunRecord?> UpdateAsync(string runId, Func<RunRecord, RunRecord?> change, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await ReadAsync(runId, cancellationToken) is not { } current) return null;
            if (change(current.Record) is not { } next) return current.Record;
            try
            {
                await WriteAsync(next, BlobConditions.IfETagMatches(current.ETag), cancellationToken);
                return next;
            }
            catch (BlobConditionFailedException) when (attempt < 20)
            {
                // Someone else wrote in between: their change stays, ours is applied again on top of it.
            }
        }
    }

    /// <summary>Every run, newest first.</summary>
    public async Task<IReadOnlyList<RunRecord>> ListAsync(CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        var ids = new List<string>();
        await foreach (var item in Blobs.ListAsync(Container, new BlobListOptions { Prefix = "runs/", Delimiter = "/" }, cancellationToken))
        {
            if (item.IsVirtualFolder) ids.Add(item.Name["runs/".Length..].TrimEnd('/'));
        }
        var records = new RunRecord?[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => records[i] = await GetAsync(ids[i], ct));
        return records.OfType<RunRecord>().OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).ToList();
    }

    /// <summary>Deletes every blob of the run, the record last (so a half-done delete still lists the run and can be repeated).</summary>
    public async Task DeleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        var names = new List<string>();
        await foreach (var item in Blobs.ListAsync(Container, new BlobListOptions { Prefix = $"runs/{runId}/" }, cancellationToken))
        {
            if (!item.IsVirtualFolder && item.Name != BlobName(runId, RecordFile)) names.Add(item.Name);
        }
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (name, ct) => await Blobs.DeleteAsync(Container, name, cancellationToken: ct));
        await Blobs.DeleteAsync(Container, BlobName(runId, RecordFile), cancellationToken: cancellationToken);
    }

    /// <summary>Uploads a local file as runs/{id}/{relative}; readers see the old or the new file, never a mix.</summary>
    public async Task UploadFileAsync(string runId, string relative, string localPath, string contentType, CancellationToken cancellationToken = default)
    {
        // FileShare.ReadWrite: the trainer may still be appending (metrics, TensorBoard); we copy what is there now.
        await using var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        await Blobs.UploadAsync(Container, BlobName(runId, relative), file, new BlobUploadOptions { ContentType = contentType }, cancellationToken);
    }

    public Task<BlobDownload?> OpenAsync(string runId, string relative, CancellationToken cancellationToken = default) =>
        Blobs.DownloadAsync(Container, BlobName(runId, relative), cancellationToken: cancellationToken);

    /// <summary>Names (relative to the run) of the blobs under a folder of the run.</summary>
    public async Task<IReadOnlyList<string>> ListFilesAsync(string runId, string folder, CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken);
        var prefix = BlobName(runId, folder.TrimEnd('/') + "/");
        var names = new List<string>();
        await foreach (var item in Blobs.ListAsync(Container, new BlobListOptions { Prefix = prefix }, cancellationToken))
        {
            if (!item.IsVirtualFolder) names.Add(item.Name[$"runs/{runId}/".Length..]);
        }
        return names;
    }

    /// <summary>Downloads runs/{id}/{relative} to a local file (via a temporary name); false when the blob does not exist.</summary>
    public async Task<bool> DownloadFileAsync(string runId, string relative, string localPath, CancellationToken cancellationToken = default)
    {
        using var download = await OpenAsync(runId, relative, cancellationToken);
        if (download is null) return false;
        await LocalFile.SaveAsync(download.Content, localPath, cancellationToken);
        return true;
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady) return;
        await Blobs.CreateContainerIfNotExistsAsync(Container, cancellationToken);
        _containerReady = true;
    }

    private async Task<(RunRecord Record, string ETag)?> ReadAsync(string runId, CancellationToken cancellationToken)
    {
        if (!IsValidId(runId)) return null;
        using var download = await OpenAsync(runId, RecordFile, cancellationToken);
        if (download is null) return null;
        var record = await JsonSerializer.DeserializeAsync<RunRecord>(download.Content, JsonDefaults.Options, cancellationToken)
            ?? throw new InvalidDataException($"{BlobName(runId, RecordFile)} holds null");
        return (record, download.Properties.ETag);
    }

    private async Task WriteAsync(RunRecord record, BlobConditions conditions, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record, JsonDefaults.Options), writable: false);
        await Blobs.UploadAsync(Container, BlobName(record.Id, RecordFile), content,
            new BlobUploadOptions { ContentType = "application/json", Conditions = conditions }, cancellationToken);
    }
}
