using AceTrainer.AceStep.Training;
using AceTrainer.Engine.Lora;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Runs;

namespace AceTrainer.TrainingService.Worker;

/// <summary>
/// A run's local folder on the worker (dataset/, output/ as the trainer writes it, log.txt) and its copies in blobs.
/// The local folder is scratch: every lease starts from an empty one and restores what the blobs hold.
/// </summary>
public sealed class RunFiles(string runId, string root, RunStore store)
{
    private readonly Lock _logLock = new();

    /// <summary>Prefix of an init_lora that names another run's checkpoint: "run:&lt;run id&gt;/&lt;checkpoint name&gt;".</summary>
    public const string RunReferencePrefix = "run:";

    public string Root { get; } = root;
    public string DatasetDir => Path.Combine(Root, "dataset");
    public string OutputDir => Path.Combine(Root, "output");
    public string LogPath => Path.Combine(Root, RunStore.LogFile);
    public string MetricsPath => Path.Combine(OutputDir, RunStore.MetricsFile);

    public void Reset()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        Directory.CreateDirectory(DatasetDir);
        Directory.CreateDirectory(OutputDir);
    }

    public void AppendLog(DateTimeOffset time, string message)
    {
        lock (_logLock) File.AppendAllText(LogPath, $"{time:yyyy-MM-dd HH:mm:ss} {message}\n");
    }

    /// <summary>Uploads the checkpoint's files; returns the size of its portable adapter (the file people download).</summary>
    public async Task<long> UploadCheckpointAsync(string folder, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(folder);
        foreach (var file in Directory.GetFiles(folder))
        {
            await store.UploadFileAsync(runId, $"{RunStore.CheckpointsFolder}/{name}/{Path.GetFileName(file)}", file,
                file.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream", cancellationToken);
        }
        return new FileInfo(Path.Combine(folder, LoraNetwork.WeightsFileName)).Length;
    }

    /// <summary>Copies metrics.jsonl, the log and the TensorBoard files to blobs (each file replaces its older copy).</summary>
    public async Task UploadHistoryAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(MetricsPath)) await store.UploadFileAsync(runId, RunStore.MetricsFile, MetricsPath, "application/x-ndjson", cancellationToken);
        if (File.Exists(LogPath)) await store.UploadFileAsync(runId, RunStore.LogFile, LogPath, "text/plain; charset=utf-8", cancellationToken);
        var tensorBoard = Path.Combine(OutputDir, LoraTrainer.LogFolder);
        if (!Directory.Exists(tensorBoard)) return;
        foreach (var file in Directory.GetFiles(tensorBoard))
        {
            await store.UploadFileAsync(runId, $"{RunStore.TensorBoardFolder}/{Path.GetFileName(file)}", file, "application/octet-stream", cancellationToken);
        }
    }

    /// <summary>Brings back the log of earlier attempts, so this attempt's lines follow theirs (call before the first line).</summary>
    public Task RestoreLogAsync(CancellationToken cancellationToken) =>
        store.DownloadFileAsync(runId, RunStore.LogFile, LogPath, cancellationToken);

    /// <summary>
    /// Brings back what an earlier attempt left in blobs: the TensorBoard files, the metrics file and the newest
    /// checkpoint. Returns the checkpoint folder to resume from, or null for a fresh start.
    /// </summary>
    public async Task<string?> RestoreAsync(RunRecord record, CancellationToken cancellationToken)
    {
        foreach (var name in await store.ListFilesAsync(runId, RunStore.TensorBoardFolder, cancellationToken))
        {
            await store.DownloadFileAsync(runId, name, Path.Combine(OutputDir, LoraTrainer.LogFolder, Path.GetFileName(name)), cancellationToken);
        }
        if (record.Checkpoints.OrderBy(c => c.Step).LastOrDefault() is not { } latest) return null;
        var folder = Path.Combine(TrainingCheckpoint.Root(OutputDir), latest.Name);
        await DownloadCheckpointAsync(runId, latest.Name, folder, cancellationToken);
        await store.DownloadFileAsync(runId, RunStore.MetricsFile, MetricsPath, cancellationToken);
        return folder;
    }

    /// <summary>Resolves an init_lora of the form "run:&lt;id&gt;/&lt;checkpoint&gt;" to a local copy of that checkpoint; other values pass through.</summary>
    public async Task<string?> ResolveInitAdapterAsync(string? initLora, CancellationToken cancellationToken)
    {
        if (initLora is null || !initLora.StartsWith(RunReferencePrefix, StringComparison.Ordinal)) return initLora;
        var (otherRun, checkpoint) = ParseRunReference(initLora)
            ?? throw new ArgumentException($"init_lora '{initLora}' must look like run:<run id>/<checkpoint name>");
        var folder = Path.Combine(Root, "init", checkpoint);
        await DownloadCheckpointAsync(otherRun, checkpoint, folder, cancellationToken);
        return folder;
    }

    public static (string RunId, string Checkpoint)? ParseRunReference(string value)
    {
        var parts = value[RunReferencePrefix.Length..].Split('/', 2);
        return parts.Length == 2 && RunStore.IsValidId(parts[0]) && parts[1].Length > 0 && !parts[1].Contains("..") ? (parts[0], parts[1]) : null;
    }

    private async Task DownloadCheckpointAsync(string fromRun, string checkpoint, string folder, CancellationToken cancellationToken)
    {
        var names = await store.ListFilesAsync(fromRun, $"{RunStore.CheckpointsFolder}/{checkpoint}", cancellationToken);
        if (names.Count == 0) throw new FileNotFoundException($"checkpoint {checkpoint} of run {fromRun} is not in storage");
        foreach (var name in names)
        {
            await store.DownloadFileAsync(fromRun, name, Path.Combine(folder, Path.GetFileName(name)), cancellationToken);
        }
    }
}
