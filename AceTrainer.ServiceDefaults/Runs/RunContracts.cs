using System.Text.Json;
using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults.Runs;

/// <summary>Where a run is in its life: queued -> preparing -> training -> completed | failed | cancelled, with paused between.</summary>
[JsonConverter(typeof(RunStateJsonConverter))]
public enum RunState
{
    Queued,
    Scheduled,
    Preparing,
    Training,
    Paused,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>States on the wire in lower camel case ("queued", "training"), as URLs and the portal use them.</summary>
public sealed class RunStateJsonConverter() : JsonStringEnumConverter<RunState>(JsonNamingPolicy.CamelCase);

public static class RunStates
{
    /// <summary>No worker will touch the run again (it can be deleted).</summary>
    public static bool IsFinal(this RunState state) => state is RunState.Completed or RunState.Failed or RunState.Cancelled;

    /// <summary>Lower-case name as in URLs and JSON ("training").</summary>
    public static string Name(this RunState state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());
}

/// <summary>
/// A request to train: <see cref="Config"/> is the run.json object of the training CLI (snake_case fields, see
/// AceStep/README.md) without dataset_dir/output_dir, which the worker fills in.
/// </summary>
/// <param name="NotBefore">Schedule the run for this time instead of now.</param>
public sealed record CreateRunRequest(string? Name, string? SnapshotId, JsonElement? Config, DateTimeOffset? NotBefore = null);

/// <summary>One saved checkpoint; <see cref="Name"/> is its folder name (epoch=E-step=S_lora).</summary>
public sealed record RunCheckpoint(string Name, long Step, long Epoch, long SizeBytes, DateTimeOffset CreatedAt);

/// <summary>Progress a run reported last (live in Redis while it trains; copied into the record at checkpoints and at the end).</summary>
public sealed record RunProgress(
    long Step,
    long TotalSteps,
    long Epoch,
    double? Loss,
    double? SamplesPerSecond,
    double? EtaSeconds,
    DateTimeOffset? UpdatedAt);

/// <summary>A run as stored (runs/{id}/run.json in the training container) and as the API returns it.</summary>
/// <param name="Config">The exact configuration used (run.json object, as validated).</param>
/// <param name="Attempts">Times a worker has started (or resumed) it.</param>
public sealed record RunRecord(
    string Id,
    string Name,
    string DatasetId,
    string DatasetName,
    string SnapshotId,
    RunState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NotBefore,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    int Attempts,
    RunProgress Progress,
    IReadOnlyList<RunCheckpoint> Checkpoints,
    JsonElement Config);
