using AceTrainer.AceStep.Training;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Runs;
using AceTrainer.TrainingService.Telemetry;

namespace AceTrainer.TrainingService.Worker;

/// <summary>
/// What the trainer reports for one leased run goes out from here: each step as a live event (and to the OpenTelemetry
/// meter), each log line to the run's log file and as an event, each checkpoint to blobs (its four files, then the
/// metrics, log and TensorBoard files), into the run record, and only then as an event, so a download works as soon as
/// the portal shows it. Called on the training thread; the network work runs on the <see cref="RunEventPump"/>.
/// </summary>
public sealed class RunObserver(
    string runId,
    RunFiles files,
    RunStore store,
    RunLiveEvents live,
    RunEventPump pump,
    TrainingMetricsObserver metrics,
    TimeProvider time,
    ILogger logger) : ITrainingObserver
{
    // Set by the first step: the record says "training" from then on (before it, the run is preparing).
    private bool _training;

    public StepMetrics? LastStep { get; private set; }

    public void OnStep(StepMetrics m)
    {
        LastStep = m;
        metrics.OnStep(m);
        if (!_training)
        {
            _training = true;
            pump.Post(ct => SetStateAsync(RunState.Training, ct));
        }
        var step = new RunStepEvent(m.Step, m.Epoch, m.TotalSteps, m.Loss, m.DenoisingLoss, m.LearningRate, m.GradNorm,
            m.SamplesPerSecond, m.ElapsedSeconds, m.EtaSeconds);
        Publish(new RunEvent(RunEvent.StepType, time.GetUtcNow(), Step: step));
    }

    public void OnCheckpoint(CheckpointSaved saved)
    {
        metrics.OnCheckpoint(saved);
        var name = Path.GetFileName(saved.Folder);
        var progress = Progress(LastStep);
        pump.Post(async ct =>
        {
            var size = await files.UploadCheckpointAsync(saved.Folder, ct);
            await files.UploadHistoryAsync(ct);
            var checkpoint = new RunCheckpoint(name, saved.Step, saved.Epoch, size, time.GetUtcNow());
            await store.UpdateAsync(runId, r => r with
            {
                Checkpoints = [.. r.Checkpoints.Where(c => c.Name != name), checkpoint],
                Progress = progress ?? r.Progress,
            }, ct);
            await live.PublishAsync(runId, new RunEvent(RunEvent.CheckpointType, time.GetUtcNow(), Checkpoint: checkpoint), ct);
        });
    }

    public void OnLog(string message)
    {
        logger.LogInformation("run {RunId}: {Message}", runId, message);
        files.AppendLog(time.GetUtcNow(), message);
        Publish(new RunEvent(RunEvent.LogType, time.GetUtcNow(), Message: message));
    }

    public void Publish(RunEvent runEvent) => pump.Post(ct => live.PublishAsync(runId, runEvent, ct));

    public RunProgress? Progress(StepMetrics? m) =>
        m is null ? null : new RunProgress(m.Step, m.TotalSteps, m.Epoch, m.Loss, m.SamplesPerSecond, m.EtaSeconds, time.GetUtcNow());

    private async Task SetStateAsync(RunState state, CancellationToken ct)
    {
        await store.UpdateAsync(runId, r => r.State.IsFinal() ? null : r with { State = state }, ct);
        await live.PublishAsync(runId, new RunEvent(RunEvent.StateType, time.GetUtcNow(), State: state), ct);
    }
}
