using System.Security.Cryptography;
using AceTrainer.AceStep.Preparation;
using AceTrainer.AceStep.Training;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Preparation;
using AceTrainer.TrainingService.Queue;
using AceTrainer.TrainingService.Runs;
using AceTrainer.TrainingService.Telemetry;
using Microsoft.Extensions.Options;

namespace AceTrainer.TrainingService.Worker;

/// <summary>
/// Trains one leased run: restore from blobs, fetch the snapshot's audio, train (heartbeats, GPU readings and periodic
/// uploads alongside), then settle the lease and the record by how it ended: completed, cancelled, paused, failed
/// (retried or dead-lettered), or lost (another worker owns the run now: write nothing more).
/// </summary>
public sealed class RunExecutor(
    RunQueue queue,
    RunStore store,
    RunLiveEvents live,
    SnapshotClient snapshots,
    IOptions<TrainingOptions> options,
    TimeProvider time,
    ILogger<RunExecutor> logger)
{
    private readonly TrainingOptions _options = options.Value;

    /// <summary>Why training was asked to stop before it finished.</summary>
    private enum StopReason { None, Cancel, Pause, Lost, Shutdown }

    public async Task ExecuteAsync(RunLease lease, CancellationToken shutdown)
    {
        var runId = lease.RunId;
        var record = await store.UpdateAsync(runId, r => r.State.IsFinal() ? null : r with
        {
            State = RunState.Preparing,
            StartedAt = r.StartedAt ?? time.GetUtcNow(),
            Attempts = r.Attempts + 1,
            Error = null,
        }, shutdown);
        if (record is null || record.State.IsFinal())
        {
            // Deleted or finished while it waited: nothing to train.
            await queue.CompleteAsync(lease, shutdown);
            return;
        }

        var files = new RunFiles(runId, Path.Combine(_options.WorkDir, "runs", runId), store);
        files.Reset();
        await files.RestoreLogAsync(shutdown);
        var reason = StopReason.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        void Stop(StopReason why)
        {
            if (reason == StopReason.None) reason = why;
            stop.Cancel();
        }
        using var shutdownRegistration = shutdown.Register(() => Stop(StopReason.Shutdown));

        var pump = new RunEventPump(logger);
        using var metrics = new TrainingMetricsObserver(runId);
        var observer = new RunObserver(runId, files, store, live, pump, metrics, time, logger);
        observer.Publish(new RunEvent(RunEvent.StateType, time.GetUtcNow(), State: RunState.Preparing));
        observer.OnLog($"attempt {record.Attempts} on worker {lease.WorkerId}");

        var alongside = Task.WhenAll(
            HeartbeatsAsync(lease, Stop, stop.Token),
            GpuReadingsAsync(observer, metrics, stop.Token),
            PeriodicUploadsAsync(files, pump, stop.Token));
        TrainingResult? result = null;
        Exception? failure = null;
        try
        {
            result = await TrainAsync(record, files, observer, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped during preparation: there is no checkpoint to save yet.
        }
        catch (Exception error)
        {
            failure = error;
        }
        if (reason == StopReason.None) stop.Cancel();
        await alongside;

        if (reason == StopReason.Lost)
        {
            pump.Abandon();
            await pump.DisposeAsync();
            logger.LogWarning("Run {RunId}: the lease was lost; another worker continues it", runId);
            return;
        }
        await pump.FlushAsync();
        await pump.DisposeAsync();
        if (reason == StopReason.Shutdown)
        {
            // Given back at once (not left to expire): another worker resumes from the checkpoint just saved.
            await files.UploadHistoryAsync(CancellationToken.None);
            RunState? next = await queue.GiveBackAsync(lease, CancellationToken.None) switch
            {
                GiveBackResult.Queued => RunState.Queued,
                GiveBackResult.Paused => RunState.Paused,
                GiveBackResult.Cancelled => RunState.Cancelled,
                _ => null,
            };
            if (next is { } state)
            {
                var now = time.GetUtcNow();
                await store.UpdateAsync(runId, r => r.State.IsFinal() ? null : r with { State = state, FinishedAt = state.IsFinal() ? now : null },
                    CancellationToken.None);
                await live.PublishAsync(runId, new RunEvent(RunEvent.StateType, now, State: state,
                    Message: "the worker shut down after saving a checkpoint"), CancellationToken.None);
            }
            return;
        }
        await SettleAsync(lease, files, observer, reason, result, failure);
    }

    private async Task<TrainingResult> TrainAsync(RunRecord record, RunFiles files, RunObserver observer, CancellationToken cancellationToken)
    {
        var snapshot = await snapshots.GetAsync(record.SnapshotId, cancellationToken)
            ?? throw new InvalidDataException($"dataset snapshot {record.SnapshotId} no longer exists");
        var samples = new List<TrainingSample>();
        var audioCache = Path.Combine(_options.WorkDir, "audio");
        Directory.CreateDirectory(audioCache);
        foreach (var sample in snapshot.Samples)
        {
            // Content-addressed: a song shared by several runs (or attempts) is downloaded once per machine.
            var path = Path.Combine(audioCache, sample.AudioSha256 + Path.GetExtension(sample.FileName).ToLowerInvariant());
            if (!File.Exists(path))
            {
                await snapshots.DownloadAudioAsync(snapshot.Id, sample.Stem, path, cancellationToken);
                if (!HashMatches(path, sample.AudioSha256))
                {
                    File.Delete(path);
                    throw new IOException($"audio of {sample.Stem} arrived damaged (SHA-256 differs from the snapshot)");
                }
            }
            samples.Add(new TrainingSample(sample.Stem, path, TrainingSample.SplitTags(sample.Prompt), sample.Instrumental ? "" : sample.Lyrics, sample.Instrumental));
        }
        observer.OnLog($"snapshot {snapshot.Id} of {snapshot.DatasetName}: {samples.Count} samples");

        var resumeFrom = await files.RestoreAsync(record, cancellationToken);
        var stored = RunConfigJson.FromElement(record.Config);
        var config = stored with
        {
            DatasetDir = files.DatasetDir,
            OutputDir = files.OutputDir,
            CacheDir = Path.Combine(_options.WorkDir, "cache"),
            ResumeFrom = resumeFrom,
            InitLora = await files.ResolveInitAdapterAsync(stored.InitLora, cancellationToken),
            // The snapshot's prompts already start with the dataset's trigger word.
            TriggerWord = "",
            Device = stored.Device == "auto" ? _options.Device : stored.Device,
            LyricVocab = stored.LyricVocab ?? DefaultLyricVocab(stored.CheckpointDir),
        };
        var cache = new BlobPreparedSampleStore(store.Blobs, store.Container, Path.Combine(_options.WorkDir, "cache", "prepared"));
        // The trainer is synchronous and CPU/GPU bound: keep it off the request threads.
        return await Task.Run(() => TrainingRun.RunAsync(config, samples, observer, cancellationToken, cache), CancellationToken.None);
    }

    private async Task SettleAsync(RunLease lease, RunFiles files, RunObserver observer, StopReason reason, TrainingResult? result, Exception? failure)
    {
        var runId = lease.RunId;
        var none = CancellationToken.None;
        await files.UploadHistoryAsync(none);
        var progress = observer.Progress(observer.LastStep);
        RunState state;
        string? error = null;
        if (failure is not null)
        {
            var transient = IsTransient(failure);
            logger.LogWarning(failure, "Run {RunId} failed ({Kind})", runId, transient ? "transient" : "permanent");
            var failed = await queue.FailAsync(lease, failure.Message, transient, none);
            (state, error) = failed.Outcome switch
            {
                FailureOutcome.Retrying => (RunState.Queued, $"attempt failed: {failure.Message} (retrying at {failed.RetryAt:u})"),
                FailureOutcome.Paused => (RunState.Paused, failure.Message),
                FailureOutcome.Cancelled => (RunState.Cancelled, failure.Message),
                FailureOutcome.LeaseLost => (RunState.Queued, failure.Message),
                _ => (RunState.Failed, failure.Message),
            };
            if (failed.Outcome == FailureOutcome.LeaseLost) return;
        }
        else if (reason == StopReason.Cancel)
        {
            await queue.ReleaseCancelledAsync(lease, none);
            state = RunState.Cancelled;
        }
        else if (reason == StopReason.Pause)
        {
            await queue.ReleasePausedAsync(lease, none);
            state = RunState.Paused;
        }
        else
        {
            await queue.CompleteAsync(lease, none);
            state = result?.Outcome == TrainingOutcome.Completed ? RunState.Completed : RunState.Cancelled;
        }

        var final = state.IsFinal();
        await store.UpdateAsync(runId, r => r with
        {
            State = state,
            Error = error,
            FinishedAt = final ? time.GetUtcNow() : null,
            Progress = progress ?? r.Progress,
        }, none);
        if (error is not null) observer.OnLog(error);
        await live.PublishAsync(runId, new RunEvent(RunEvent.StateType, time.GetUtcNow(), State: state, Message: error), none);
        await files.UploadHistoryAsync(none);
        if (final) Directory.Delete(files.Root, recursive: true);
    }

    private async Task HeartbeatsAsync(RunLease lease, Action<StopReason> stop, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromTicks(Math.Min(queue.Options.LeaseDuration.Ticks / 3, _options.HeartbeatInterval.Ticks));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, cancellationToken);
                var signal = await queue.HeartbeatAsync(lease, cancellationToken);
                switch (signal)
                {
                    case HeartbeatSignal.Cancel: stop(StopReason.Cancel); return;
                    case HeartbeatSignal.Pause: stop(StopReason.Pause); return;
                    case HeartbeatSignal.Lost: stop(StopReason.Lost); return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is RedisConnectionException or RedisServerException or IOException)
            {
                // Redis is away: keep training; if the lease expires meanwhile, the next beat answers Lost.
                logger.LogWarning("Run {RunId}: heartbeat failed: {Reason}", lease.RunId, error.Message);
            }
        }
    }

    private Task GpuReadingsAsync(RunObserver observer, TrainingMetricsObserver metrics, CancellationToken cancellationToken) =>
        metrics.PollGpusAsync(new GpuMonitor(_options.NvidiaSmi), _options.GpuPollInterval, cancellationToken, reading =>
            observer.Publish(new RunEvent(RunEvent.GpuType, time.GetUtcNow(),
                Gpu: new RunGpuEvent(reading.HasGpu, reading.HasGpu ? null : NoGpuReason(reading), reading.Gpus))));

    private string NoGpuReason(GpuReading reading) => reading.Unavailable switch
    {
        GpuUnavailableReason.NvidiaSmiNotInstalled => $"this worker has no NVIDIA driver tools ({_options.NvidiaSmi} not found)",
        GpuUnavailableReason.NoDevices => "nvidia-smi sees no GPU on this worker",
        _ => $"nvidia-smi failed: {reading.Detail}",
    };

    private async Task PeriodicUploadsAsync(RunFiles files, RunEventPump pump, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.UploadInterval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Through the pump, so uploads never overlap a checkpoint's (the same blobs).
            pump.Post(files.UploadHistoryAsync);
        }
    }

    private string? DefaultLyricVocab(string? checkpointDir) =>
        checkpointDir is not null && File.Exists(Path.Combine(checkpointDir, "vocab.json")) || _options.LyricVocab.Length == 0 ? null : _options.LyricVocab;

    private static bool HashMatches(string path, string sha256)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file)) == sha256.ToLowerInvariant();
    }

    /// <summary>Network and storage hiccups are retried; bad data, bad configs and missing files are not.</summary>
    public static bool IsTransient(Exception error) => error switch
    {
        HttpRequestException or TimeoutException or RedisConnectionException => true,
        BlobStorageException blob => (int)blob.Status >= 500,
        FileNotFoundException or DirectoryNotFoundException => false,
        IOException => true,
        _ => false,
    };
}
