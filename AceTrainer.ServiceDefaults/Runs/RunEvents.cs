using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults.Runs;

/// <summary>
/// One live event of a run, as JSON (<see cref="JsonDefaults"/>) in the run's Redis stream, on its pub/sub channel and
/// on SignalR. Exactly one payload is set, matching <see cref="Type"/>.
/// </summary>
public sealed record RunEvent(
    string Type,
    DateTimeOffset Time,
    RunStepEvent? Step = null,
    RunState? State = null,
    string? Message = null,
    RunCheckpoint? Checkpoint = null,
    RunGpuEvent? Gpu = null)
{
    public const string StepType = "step";
    public const string StateType = "state";
    public const string LogType = "log";
    public const string CheckpointType = "checkpoint";
    public const string GpuType = "gpu";
}

/// <summary>One optimizer step (<see cref="Step"/> 1-based, steps are optimizer steps under accumulation; epoch 0-based).</summary>
public sealed record RunStepEvent(
    long Step,
    long Epoch,
    long TotalSteps,
    double Loss,
    double DenoisingLoss,
    double LearningRate,
    double GradNorm,
    double SamplesPerSecond,
    double ElapsedSeconds,
    double EtaSeconds);

/// <summary>The worker's GPUs; <see cref="Available"/> false with <see cref="Reason"/> on a machine without one.</summary>
public sealed record RunGpuEvent(bool Available, string? Reason, IReadOnlyList<RunGpuDevice> Devices);

/// <summary>One GPU as nvidia-smi reported it (memory in MiB, utilisation in %, temperature in °C); a field it could not read ("[N/A]") is null.</summary>
public sealed record RunGpuDevice(
    int Index,
    string Name,
    double? MemoryUsedMiB,
    double? MemoryTotalMiB,
    double? UtilizationPercent,
    double? TemperatureCelsius);

/// <summary>An event with its Redis stream id (ids increase; a client keeps the last one it applied).</summary>
public sealed record RunEventEntry(string Id, RunEvent Event);
