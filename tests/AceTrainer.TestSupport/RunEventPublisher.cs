using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.ServiceDefaults.Runs;

namespace AceTrainer.TestSupport;

/// <summary>
/// Writes run events through <see cref="RunEventLog"/>, as the TrainingService worker does, for tests and benchmarks of
/// the portal side, which must not depend on a training run to see events.
/// </summary>
public sealed class RunEventPublisher(IRedisClient redis)
{
    /// <summary>Publishes the event JSON as given and returns its stream id.</summary>
    public Task<string> PublishAsync(string runId, string json, CancellationToken cancellationToken = default) =>
        RunEventLog.AppendAsync(redis, runId, json, cancellationToken: cancellationToken);

    public Task<string> PublishAsync(string runId, RunEvent runEvent, CancellationToken cancellationToken = default) =>
        PublishAsync(runId, JsonSerializer.Serialize(runEvent, JsonDefaults.Options), cancellationToken);

    /// <summary>A realistic step event (the worker sends one per optimizer step).</summary>
    public static RunEvent Step(long step, double elapsedSeconds, long totalSteps = 10_000) => new(RunEvent.StepType, DateTimeOffset.UtcNow,
        Step: new RunStepEvent(step, step / 250, totalSteps, 0.4123 + 1.0 / (step + 3), 0.3987 + 1.0 / (step + 5), 1e-4 * Math.Min(1, step / 100.0),
            0.8731, 5.21, elapsedSeconds, (totalSteps - step) / 2.6));
}
