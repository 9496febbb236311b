using System.Diagnostics.Metrics;
using AceTrainer.AceStep.Training;
using AceTrainer.ServiceDefaults.Runs;

namespace AceTrainer.TrainingService.Telemetry;

/// <summary>
/// Publishes a run's progress as OpenTelemetry-style metrics on the "AceTrainer.Training" meter
/// (ServiceDefaults exports every "AceTrainer.*" meter). Every measurement is tagged with the run id;
/// GPU gauges report the last sample given to <see cref="UpdateGpus"/> and report nothing without a GPU.
/// </summary>
public sealed class TrainingMetricsObserver : ITrainingObserver, IDisposable
{
    public const string MeterName = "AceTrainer.Training";
    public const string RunIdTag = "acetrainer.run.id";
    public const string GpuIndexTag = "gpu.index";
    public const string GpuNameTag = "gpu.name";

    private readonly Meter meter;
    private readonly KeyValuePair<string, object?> runTag;
    private readonly Gauge<double> loss;
    private readonly Gauge<double> learningRate;
    private readonly Gauge<double> gradNorm;
    private readonly Gauge<double> samplesPerSecond;
    private readonly Counter<long> steps;
    private readonly Counter<long> checkpoints;
    private volatile GpuReading? lastGpus;

    public TrainingMetricsObserver(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        RunId = runId;
        runTag = new(RunIdTag, runId);
        meter = new Meter(MeterName);
        loss = meter.CreateGauge<double>("acetrainer.training.loss", description: "Training loss of the last optimizer step");
        learningRate = meter.CreateGauge<double>("acetrainer.training.learning_rate", description: "Learning rate of the last optimizer step");
        gradNorm = meter.CreateGauge<double>("acetrainer.training.grad_norm", description: "Gradient norm (before clipping) of the last optimizer step");
        samplesPerSecond = meter.CreateGauge<double>("acetrainer.training.samples_per_second", unit: "{sample}/s", description: "Training throughput");
        steps = meter.CreateCounter<long>("acetrainer.training.steps", unit: "{step}", description: "Optimizer steps taken");
        checkpoints = meter.CreateCounter<long>("acetrainer.training.checkpoints", unit: "{checkpoint}", description: "Checkpoints written");
        meter.CreateObservableGauge("acetrainer.gpu.memory.used", () => ObserveGpus(g => g.MemoryUsedMiB), unit: "MiBy", description: "GPU memory in use");
        meter.CreateObservableGauge("acetrainer.gpu.memory.total", () => ObserveGpus(g => g.MemoryTotalMiB), unit: "MiBy", description: "GPU memory in all");
        meter.CreateObservableGauge("acetrainer.gpu.utilization", () => ObserveGpus(g => g.UtilizationPercent), unit: "%", description: "GPU utilisation");
        meter.CreateObservableGauge("acetrainer.gpu.temperature", () => ObserveGpus(g => g.TemperatureCelsius), unit: "Cel", description: "GPU temperature");
    }

    public string RunId { get; }

    /// <summary>The last GPU reading the gauges report (null before the first).</summary>
    public GpuReading? LastGpuReading => lastGpus;

    public void UpdateGpus(GpuReading reading) => lastGpus = reading;

    /// <summary>Reads the GPUs once and makes that reading the gauges' value.</summary>
    public async Task<GpuReading> SampleGpusAsync(GpuMonitor monitor, CancellationToken cancellationToken = default)
    {
        var reading = await monitor.ReadAsync(cancellationToken);
        UpdateGpus(reading);
        return reading;
    }

    /// <summary>
    /// Samples the GPUs every <paramref name="interval"/> (5 s by default) until cancelled, handing each reading to
    /// <paramref name="onReading"/> too; stops early when there is no GPU (after reporting that reading).
    /// </summary>
    public async Task PollGpusAsync(GpuMonitor monitor, TimeSpan? interval = null, CancellationToken cancellationToken = default,
        Action<GpuReading>? onReading = null)
    {
        using var timer = new PeriodicTimer(interval ?? GpuMonitor.DefaultPollInterval);
        try
        {
            do
            {
                var reading = await SampleGpusAsync(monitor, cancellationToken);
                onReading?.Invoke(reading);
                if (reading.Unavailable is GpuUnavailableReason.NvidiaSmiNotInstalled or GpuUnavailableReason.NoDevices)
                {
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void OnStep(StepMetrics metrics)
    {
        loss.Record(metrics.Loss, runTag);
        learningRate.Record(metrics.LearningRate, runTag);
        gradNorm.Record(metrics.GradNorm, runTag);
        samplesPerSecond.Record(metrics.SamplesPerSecond, runTag);
        steps.Add(1, runTag);
    }

    public void OnCheckpoint(CheckpointSaved checkpoint) => checkpoints.Add(1, runTag);

    public void OnLog(string message)
    {
    }

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<double>> ObserveGpus(Func<RunGpuDevice, double?> value)
    {
        var reading = lastGpus;
        if (reading is null)
        {
            yield break;
        }

        foreach (var gpu in reading.Gpus)
        {
            if (value(gpu) is { } measured)
            {
                yield return new Measurement<double>(measured, runTag, new(GpuIndexTag, gpu.Index), new(GpuNameTag, gpu.Name));
            }
        }
    }
}
