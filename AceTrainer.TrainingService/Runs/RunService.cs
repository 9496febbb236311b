using AceTrainer.AceStep.Training;
using AceTrainer.AceStep.Transformer;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Queue;
using AceTrainer.TrainingService.Worker;

namespace AceTrainer.TrainingService.Runs;

/// <summary>Filters of the run history; null means any.</summary>
public sealed record RunFilter(string? DatasetId, RunState? State, DateTimeOffset? From, DateTimeOffset? To);

/// <summary>A validated request: what would train, on which snapshot, with the step arithmetic; or the field errors.</summary>
public sealed record RunRequestCheck(TrainingConfig? Config, DatasetSnapshot? Snapshot, TrainingPlan? Plan, IReadOnlyDictionary<string, string> Errors)
{
    public bool IsValid => Errors.Count == 0 && Config is not null && Snapshot is not null;
}

/// <summary>What the Runs API does, over the record store (blobs), the live state (Redis) and the queue.</summary>
public sealed class RunService(RunStore store, RunLiveEvents live, RunQueue queue, SnapshotClient snapshots, TimeProvider time) : IRunQueueObserver
{
    public const int MaxNameLength = 120;

    /// <summary>Checks every field of a request; the snapshot is fetched to count its samples.</summary>
    public async Task<RunRequestCheck> CheckAsync(CreateRunRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Name is { Length: > MaxNameLength }) errors["name"] = $"at most {MaxNameLength} characters";
        DatasetSnapshot? snapshot = null;
        if (string.IsNullOrWhiteSpace(request.SnapshotId)) errors["snapshotId"] = "choose a dataset snapshot";
        else if ((snapshot = await snapshots.GetAsync(request.SnapshotId, cancellationToken)) is null)
            errors["snapshotId"] = $"dataset snapshot '{request.SnapshotId}' does not exist";
        else if (snapshot.Samples.Count == 0) errors["snapshotId"] = "the snapshot has no samples";

        var config = RunConfigJson.Parse(request.Config, errors);
        if (config is not null)
        {
            // Folders are the worker's; anything will do for the check.
            foreach (var (field, message) in (config with { DatasetDir = "dataset", OutputDir = "output" }).Validate())
                errors.TryAdd(field, message);
            await CheckInitAdapterAsync(config.InitLora, errors, cancellationToken);
        }
        var plan = config is not null && snapshot is { Samples.Count: > 0 } && errors.Count == 0 ? TrainingPlan.For(config, snapshot.Samples.Count) : null;
        return new RunRequestCheck(config, snapshot, plan, errors);
    }

    /// <summary>The check as the form sees it: the arithmetic and the estimate even while other fields still have errors.</summary>
    public async Task<RunPlanResponse> PlanAsync(CreateRunRequest request, CancellationToken cancellationToken)
    {
        var check = await CheckAsync(request, cancellationToken);
        var config = check.Config;
        string[] planFields = ["max_steps", "epochs", "repeat_count", "gradient_accumulation_steps"];
        var plan = check.Plan ?? (config is not null && check.Snapshot is { Samples.Count: > 0 } snapshot && !planFields.Any(check.Errors.ContainsKey)
            ? TrainingPlan.For(config, snapshot.Samples.Count)
            : null);
        VramEstimate? vram = null;
        if (config is not null && !check.Errors.Keys.Any(k => k.StartsWith("lora", StringComparison.Ordinal) || k == "precision"))
        {
            // The longest song sets the peak (the trainer cuts at 240 s); without a snapshot, assume a full-length one.
            var seconds = check.Snapshot?.Samples.Select(s => s.Facts.DurationSeconds).DefaultIfEmpty(240).Max() ?? 240;
            vram = VramEstimate.For(config with { DatasetDir = "dataset", OutputDir = "output" }, AceStepTransformerConfig.AceStepV1(), seconds);
        }
        var figures = plan is null ? null : new RunPlanFigures(plan.Samples, plan.TotalSteps, plan.StepsPerEpoch, plan.TotalEpochs, plan.MicroBatchesPerEpoch);
        return new RunPlanResponse(check.Errors, figures, vram);
    }

    public async Task<(RunRecord? Run, RunRequestCheck Check)> CreateAsync(CreateRunRequest request, CancellationToken cancellationToken)
    {
        var check = await CheckAsync(request, cancellationToken);
        if (!check.IsValid) return (null, check);
        var snapshot = check.Snapshot!;
        var now = time.GetUtcNow();
        var scheduled = request.NotBefore is { } at && at > now;
        var record = new RunRecord(
            RunStore.NewId(now),
            string.IsNullOrWhiteSpace(request.Name) ? $"{snapshot.DatasetName} {now:yyyy-MM-dd HH:mm}" : request.Name.Trim(),
            snapshot.DatasetId, snapshot.DatasetName, snapshot.Id,
            scheduled ? RunState.Scheduled : RunState.Queued,
            now, scheduled ? request.NotBefore : null, null, null, null, 0,
            new RunProgress(0, check.Plan!.TotalSteps, 0, null, null, null, null), [],
            RunConfigJson.ToElement(check.Config!));
        // Record first: a worker that leases the run must find it.
        await store.CreateAsync(record, cancellationToken);
        await queue.EnqueueAsync(record.Id, scheduled ? request.NotBefore : null, cancellationToken);
        await live.PublishAsync(record.Id, new RunEvent(RunEvent.StateType, now, State: record.State), cancellationToken);
        return (record, check);
    }

    /// <summary>The record with the live progress merged in while a worker has it.</summary>
    public async Task<RunRecord?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        return await store.GetAsync(runId, cancellationToken) is { } record ? await WithLiveProgressAsync(record, cancellationToken) : null;
    }

    // A worker reports each step to Redis; the record in blobs only catches up at checkpoints and at the end.
    private async Task<RunRecord> WithLiveProgressAsync(RunRecord record, CancellationToken cancellationToken)
    {
        if (record.State.IsFinal()) return record;
        var progress = await live.GetProgressAsync(record.Id, cancellationToken);
        return progress is not null && progress.Step >= record.Progress.Step ? record with { Progress = progress } : record;
    }

    public async Task<IReadOnlyList<RunRecord>> ListAsync(RunFilter filter, CancellationToken cancellationToken)
    {
        var records = (await store.ListAsync(cancellationToken)).Where(r =>
            (filter.DatasetId is null || r.DatasetId == filter.DatasetId) &&
            (filter.State is null || r.State == filter.State) &&
            (filter.From is null || r.CreatedAt >= filter.From) &&
            (filter.To is null || r.CreatedAt <= filter.To)).ToList();
        var merged = new List<RunRecord>(records.Count);
        foreach (var record in records) merged.Add(await WithLiveProgressAsync(record, cancellationToken));
        return merged;
    }

    /// <summary>Cancels a waiting run at once, or asks the worker of a running one to stop (it saves a checkpoint first).</summary>
    public async Task<(RunRecord? Run, string? Conflict)> CancelAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(runId, cancellationToken) is not { } record) return (null, null);
        if (record.State.IsFinal()) return (record, $"the run is already {record.State.Name()}");
        var result = await queue.CancelAsync(runId, cancellationToken);
        if (result == CancelResult.Flagged) return (await GetAsync(runId, cancellationToken), null);
        return (await SetStateAsync(runId, RunState.Cancelled, cancellationToken), null);
    }

    public async Task<(RunRecord? Run, string? Conflict)> PauseAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(runId, cancellationToken) is not { } record) return (null, null);
        if (record.State.IsFinal()) return (record, $"the run is already {record.State.Name()}");
        return await queue.PauseAsync(runId, cancellationToken) switch
        {
            PauseResult.Paused => (await SetStateAsync(runId, RunState.Paused, cancellationToken), null),
            PauseResult.Flagged or PauseResult.AlreadyPaused => (await GetAsync(runId, cancellationToken), null),
            PauseResult.NotPausable => (record, "the run failed and waits in the dead-letter list; it cannot be paused"),
            _ => (record, "the run is not in the queue"),
        };
    }

    public async Task<(RunRecord? Run, string? Conflict)> ResumeAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(runId, cancellationToken) is not { } record) return (null, null);
        if (record.State.IsFinal()) return (record, $"the run is already {record.State.Name()}");
        return await queue.ResumeAsync(runId, cancellationToken) switch
        {
            ResumeResult.Resumed => (await SetStateAsync(runId, record.NotBefore > time.GetUtcNow() ? RunState.Scheduled : RunState.Queued, cancellationToken), null),
            ResumeResult.Unflagged => (await GetAsync(runId, cancellationToken), null),
            ResumeResult.NotPaused => (record, "the run is not paused"),
            _ => (record, "the run is not in the queue"),
        };
    }

    /// <summary>Deletes a finished or paused run with all its blobs and live state; a run that may still train must be cancelled first.</summary>
    public async Task<(bool Found, string? Conflict)> DeleteAsync(string runId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(runId, cancellationToken) is not { } record) return (false, null);
        if (!record.State.IsFinal() && record.State != RunState.Paused)
            return (true, $"the run is {record.State.Name()}: cancel it before deleting it");
        if (record.State == RunState.Paused && await queue.CancelAsync(runId, cancellationToken) == CancelResult.Flagged)
            return (true, "the run is still stopping; try again in a moment");
        await store.DeleteAsync(runId, cancellationToken);
        await live.DeleteAsync(runId, cancellationToken);
        return (true, null);
    }

    /// <summary>The full history: the stream is read before the metrics file, so every step is in one of them.</summary>
    public async Task<RunHistory?> HistoryAsync(string runId, CancellationToken cancellationToken)
    {
        if (await GetAsync(runId, cancellationToken) is not { } record) return null;
        var entries = await live.ReadAsync(runId, "0-0", cancellationToken: cancellationToken);
        var builder = new RunMetricsBuilder();
        using (var download = await store.OpenAsync(runId, RunStore.MetricsFile, cancellationToken))
        {
            if (download is not null)
            {
                using var reader = new StreamReader(download.Content);
                while (await reader.ReadLineAsync(cancellationToken) is { } line) builder.AddMetricsLine(line);
            }
        }
        foreach (var entry in entries)
        {
            if (entry.Event.Step is { } step) builder.AddStep(step);
        }
        var lastGpu = entries.LastOrDefault(e => e.Event.Type == RunEvent.GpuType);
        var others = entries.Where(e => e.Event.Type is not (RunEvent.StepType or RunEvent.GpuType) || e == lastGpu).ToList();
        return new RunHistory(record, builder.Build(), others, entries.Count > 0 ? entries[^1].Id : "0-0");
    }

    /// <summary>Events after <paramref name="afterId"/>; null when the capped stream no longer has all of them.</summary>
    public async Task<IReadOnlyList<RunEventEntry>?> EventsAfterAsync(string runId, string afterId, CancellationToken cancellationToken)
    {
        var entries = await live.ReadAsync(runId, afterId, 1000, cancellationToken);
        var firstKept = await live.FirstIdAfterTrimAsync(runId, cancellationToken);
        if (firstKept is not null && RunLiveEvents.CompareIds(afterId, firstKept) < 0) return null;
        return entries;
    }

    /// <summary>The sweep gave up on a run whose workers kept dying: the record says failed, with why.</summary>
    public async Task OnDeadLetteredAsync(string runId, string error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.UpdateAsync(runId, r => r.State.IsFinal() ? null : r with { State = RunState.Failed, Error = error, FinishedAt = now }, cancellationToken);
        await live.PublishAsync(runId, new RunEvent(RunEvent.StateType, now, State: RunState.Failed, Message: error), cancellationToken);
    }

    private async Task<RunRecord?> SetStateAsync(string runId, RunState state, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var updated = await store.UpdateAsync(runId, r => r.State.IsFinal() ? null : r with
        {
            State = state,
            FinishedAt = state.IsFinal() ? now : r.FinishedAt,
        }, cancellationToken);
        await live.PublishAsync(runId, new RunEvent(RunEvent.StateType, now, State: updated?.State ?? state), cancellationToken);
        return updated;
    }

    private async Task CheckInitAdapterAsync(string? initLora, Dictionary<string, string> errors, CancellationToken cancellationToken)
    {
        if (initLora is null || !initLora.StartsWith(RunFiles.RunReferencePrefix, StringComparison.Ordinal)) return;
        if (RunFiles.ParseRunReference(initLora) is not var (run, checkpoint))
        {
            errors["init_lora"] = "must be a path on the worker or run:<run id>/<checkpoint name>";
            return;
        }
        var record = await store.GetAsync(run, cancellationToken);
        if (record is null || record.Checkpoints.All(c => c.Name != checkpoint))
            errors["init_lora"] = $"run {run} has no checkpoint '{checkpoint}'";
    }
}
