using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using AceTrainer.AceStep.Text;
using AceTrainer.AceStep.Training;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Queue;
using AceTrainer.TrainingService.Runs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AceTrainer.TrainingService.Apis;

public static partial class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/runs").WithTags("Runs");
        runs.MapGet("/presets", GetPresets);
        runs.MapGet("/defaults", GetDefaults);
        runs.MapPost("/plan", PlanRun);
        runs.MapGet("/queue", GetQueue);
        runs.MapPost("/", CreateRun);
        runs.MapGet("/", ListRuns);
        runs.MapGet("/{runId}", GetRun);
        runs.MapGet("/{runId}/history", GetHistory);
        runs.MapGet("/{runId}/events", GetEvents);
        runs.MapPost("/{runId}/cancel", (string runId, RunService service, CancellationToken ct) => Change(service.CancelAsync(runId, ct)));
        runs.MapPost("/{runId}/pause", (string runId, RunService service, CancellationToken ct) => Change(service.PauseAsync(runId, ct)));
        runs.MapPost("/{runId}/resume", (string runId, RunService service, CancellationToken ct) => Change(service.ResumeAsync(runId, ct)));
        runs.MapDelete("/{runId}", DeleteRun);
        runs.MapGet("/{runId}/checkpoints", GetCheckpoints);
        runs.MapGet("/{runId}/checkpoints/{name}/adapter", DownloadAdapter);
        runs.MapGet("/{runId}/metrics", (string runId, RunStore store, CancellationToken ct) =>
            File(store, runId, RunStore.MetricsFile, "application/x-ndjson", $"{runId}-metrics.jsonl", ct));
        runs.MapGet("/{runId}/log", (string runId, RunStore store, CancellationToken ct) =>
            File(store, runId, RunStore.LogFile, "text/plain; charset=utf-8", null, ct));
        runs.MapGet("/{runId}/tensorboard", DownloadTensorBoard);
        return app;
    }

    public static Ok<IEnumerable<RunPresetResponse>> GetPresets() =>
        TypedResults.Ok(RunPresets.All.Select(p => new RunPresetResponse(p.Name, p.Label, p.Description, RunConfigJson.ToElement(p.Config))));

    public static Ok<RunDefaults> GetDefaults() => TypedResults.Ok(new RunDefaults(
        RunConfigJson.ToElement(new TrainingConfig()), LoraTargets.Suffixes,
        ["constant", "linear", "cosine", "cosine_with_restarts"], ["fp32", "bf16"], LyricTokenizer.SupportedLanguages));

    /// <summary>What the run page shows as the user types: field errors, the step arithmetic and the memory estimate.</summary>
    public static async Task<Ok<RunPlanResponse>> PlanRun(CreateRunRequest request, RunService service, CancellationToken cancellationToken) =>
        TypedResults.Ok(await service.PlanAsync(request, cancellationToken));

    /// <summary>The queue as operators see it: waiting (queued and scheduled), leased, paused, and the dead-letter list with each error.</summary>
    public static async Task<Ok<Dictionary<string, IReadOnlyList<RunQueueEntry>>>> GetQueue(RunQueue queue, CancellationToken cancellationToken)
    {
        var listings = new Dictionary<string, IReadOnlyList<RunQueueEntry>>();
        foreach (var listing in Enum.GetValues<RunQueueListing>())
            listings[JsonNamingPolicy.CamelCase.ConvertName(listing.ToString())] = await queue.ListAsync(listing, 200, cancellationToken);
        return TypedResults.Ok(listings);
    }

    public static async Task<IResult> CreateRun(CreateRunRequest request, RunService service, CancellationToken cancellationToken)
    {
        var (run, check) = await service.CreateAsync(request, cancellationToken);
        return run is null ? Invalid(check.Errors) : TypedResults.Created($"/api/runs/{run.Id}", run);
    }

    public static async Task<IResult> ListRuns(string? datasetId, string? state, DateTimeOffset? from, DateTimeOffset? to, RunService service,
        CancellationToken cancellationToken)
    {
        RunState? wanted = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!Enum.TryParse<RunState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
                return Invalid(new Dictionary<string, string> { ["state"] = $"unknown state '{state}'" });
            wanted = parsed;
        }
        return TypedResults.Ok(await service.ListAsync(new RunFilter(NullIfEmpty(datasetId), wanted, from, to), cancellationToken));
    }

    public static async Task<IResult> GetRun(string runId, RunService service, CancellationToken cancellationToken) =>
        await service.GetAsync(runId, cancellationToken) is { } run ? TypedResults.Ok(run) : NotFound(runId);

    public static async Task<IResult> GetHistory(string runId, RunService service, CancellationToken cancellationToken) =>
        await service.HistoryAsync(runId, cancellationToken) is { } history ? TypedResults.Ok(history) : NotFound(runId);

    public static async Task<IResult> GetEvents(string runId, string? after, RunService service, CancellationToken cancellationToken)
    {
        after = string.IsNullOrEmpty(after) ? "0-0" : after;
        if (!StreamId().IsMatch(after)) return Invalid(new Dictionary<string, string> { ["after"] = "must be a stream id like 1700000000000-0" });
        if (await service.GetAsync(runId, cancellationToken) is null) return NotFound(runId);
        if (await service.EventsAfterAsync(runId, after, cancellationToken) is not { } events)
            return TypedResults.Problem(title: "Events no longer kept", statusCode: StatusCodes.Status410Gone,
                detail: $"The live log of run {runId} no longer reaches back to {after}; load /api/runs/{runId}/history again.");
        return TypedResults.Ok(new { events, lastId = events.Count > 0 ? events[^1].Id : after });
    }

    public static async Task<IResult> DeleteRun(string runId, RunService service, CancellationToken cancellationToken)
    {
        var (found, conflict) = await service.DeleteAsync(runId, cancellationToken);
        if (!found) return NotFound(runId);
        return conflict is null ? TypedResults.NoContent() : Conflict(conflict);
    }

    public static async Task<IResult> GetCheckpoints(string runId, RunService service, CancellationToken cancellationToken) =>
        await service.GetAsync(runId, cancellationToken) is { } run ? TypedResults.Ok(run.Checkpoints) : NotFound(runId);

    public static async Task<IResult> DownloadAdapter(string runId, string name, RunService service, RunStore store, CancellationToken cancellationToken)
    {
        if (await service.GetAsync(runId, cancellationToken) is not { } run) return NotFound(runId);
        if (run.Checkpoints.All(c => c.Name != name))
            return TypedResults.Problem(title: "Checkpoint not found", detail: $"Run {runId} has no checkpoint '{name}'.", statusCode: StatusCodes.Status404NotFound);
        var fileName = $"{SafeFileName().Replace(run.Name, "_")}-{name}.safetensors";
        return await File(store, runId, $"{RunStore.CheckpointsFolder}/{name}/{Engine.Lora.LoraNetwork.WeightsFileName}", "application/octet-stream", fileName, cancellationToken);
    }

    /// <summary>The TensorBoard event files as one zip, streamed as it is built (`tensorboard --logdir` on the unzipped folder).</summary>
    public static async Task<IResult> DownloadTensorBoard(string runId, RunService service, RunStore store, CancellationToken cancellationToken)
    {
        if (await service.GetAsync(runId, cancellationToken) is null) return NotFound(runId);
        var names = await store.ListFilesAsync(runId, RunStore.TensorBoardFolder, cancellationToken);
        // Built in a temporary file: ZipArchive writes synchronously, which the response body does not allow.
        var temp = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
        using (var zip = new ZipArchive(temp, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in names)
            {
                using var download = await store.OpenAsync(runId, name, cancellationToken);
                if (download is null) continue;
                await using var entry = zip.CreateEntry($"{runId}/{name}", CompressionLevel.Fastest).Open();
                await download.Content.CopyToAsync(entry, cancellationToken);
            }
        }
        temp.Position = 0;
        return TypedResults.Stream(async body =>
        {
            await using (temp) await temp.CopyToAsync(body, cancellationToken);
        }, "application/zip", $"{runId}-tensorboard.zip");
    }

    private static async Task<IResult> Change(Task<(RunRecord? Run, string? Conflict)> change)
    {
        var (run, conflict) = await change;
        if (run is null) return TypedResults.Problem(title: "Run not found", statusCode: StatusCodes.Status404NotFound);
        return conflict is null ? TypedResults.Ok(run) : Conflict(conflict);
    }

    private static async Task<IResult> File(RunStore store, string runId, string relative, string contentType, string? downloadName, CancellationToken cancellationToken)
    {
        var download = RunStore.IsValidId(runId) ? await store.OpenAsync(runId, relative, cancellationToken) : null;
        if (download is null)
            return TypedResults.Problem(title: "Not found", detail: $"Run {runId} has no {relative} (yet).", statusCode: StatusCodes.Status404NotFound);
        return TypedResults.Stream(async body =>
        {
            using (download) await download.Content.CopyToAsync(body, cancellationToken);
        }, contentType, downloadName);
    }

    private static ValidationProblem Invalid(IReadOnlyDictionary<string, string> errors) => TypedResults.ValidationProblem(
        errors.ToDictionary(e => e.Key, e => new[] { e.Value }), title: "The run cannot start", detail: string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")));

    private static ProblemHttpResult NotFound(string runId) =>
        TypedResults.Problem(title: "Run not found", detail: $"There is no run '{runId}'.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(title: "Not possible in this state", detail: detail, statusCode: StatusCodes.Status409Conflict);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [GeneratedRegex(@"^\d{1,20}-\d{1,20}$")]
    private static partial Regex StreamId();

    [GeneratedRegex(@"[^A-Za-z0-9._-]+")]
    private static partial Regex SafeFileName();
}
