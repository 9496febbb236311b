using System.Diagnostics.Metrics;
using AceTrainer.AceStep.Training;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Telemetry;

namespace AceTrainer.TrainingService.Tests.Telemetry;

public sealed class TrainingMetricsObserverTests : IDisposable
{
    private readonly string runId = "run-" + Guid.NewGuid().ToString("N");
    private readonly List<Recorded> recorded = [];
    private readonly MeterListener listener = new();

    public TrainingMetricsObserverTests()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TrainingMetricsObserver.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();
    }

    public void Dispose() => listener.Dispose();

    [Fact]
    public void Steps_and_checkpoints_are_reported_with_the_run_id()
    {
        using var observer = new TrainingMetricsObserver(runId);

        observer.OnStep(Step(1, loss: 0.75, learningRate: 1e-4, gradNorm: 2.5, samplesPerSecond: 3.25));
        observer.OnStep(Step(2, loss: 0.5, learningRate: 9e-5, gradNorm: 1.5, samplesPerSecond: 4));
        observer.OnCheckpoint(new CheckpointSaved(2, 0, "/out/checkpoints/epoch=0-step=2_lora", "/out/x.safetensors"));
        observer.OnLog("not a metric");

        var ours = Ours();
        Assert.All(ours, r => Assert.Equal(runId, r.Tags[TrainingMetricsObserver.RunIdTag]));
        Assert.Equal([0.75, 0.5], Values(ours, "acetrainer.training.loss"));
        Assert.Equal([1e-4, 9e-5], Values(ours, "acetrainer.training.learning_rate"));
        Assert.Equal([2.5, 1.5], Values(ours, "acetrainer.training.grad_norm"));
        Assert.Equal([3.25, 4], Values(ours, "acetrainer.training.samples_per_second"));
        Assert.Equal([1, 1], Values(ours, "acetrainer.training.steps"));
        Assert.Equal([1], Values(ours, "acetrainer.training.checkpoints"));
        Assert.Equal(11, ours.Count);
    }

    [Fact]
    public void Gpu_gauges_report_the_last_sample_per_gpu()
    {
        using var observer = new TrainingMetricsObserver(runId);
        observer.UpdateGpus(GpuReading.Available([new RunGpuDevice(0, "old", 1, 2, 3, 4)]));
        observer.UpdateGpus(GpuReading.Available(
        [
            new RunGpuDevice(0, "NVIDIA H200", 81234, 143771, 97, 64),
            new RunGpuDevice(1, "NVIDIA H200", 4, 143771, null, 31),
        ]));

        listener.RecordObservableInstruments();

        var ours = Ours();
        Assert.Equal([(0, 81234d), (1, 4d)], PerGpu(ours, "acetrainer.gpu.memory.used"));
        Assert.Equal([(0, 143771d), (1, 143771d)], PerGpu(ours, "acetrainer.gpu.memory.total"));
        Assert.Equal([(0, 97d)], PerGpu(ours, "acetrainer.gpu.utilization"));
        Assert.Equal([(0, 64d), (1, 31d)], PerGpu(ours, "acetrainer.gpu.temperature"));
        Assert.All(ours, r => Assert.Equal("NVIDIA H200", r.Tags[TrainingMetricsObserver.GpuNameTag]));
    }

    [Fact]
    public async Task Without_a_gpu_the_gpu_gauges_report_nothing()
    {
        using var observer = new TrainingMetricsObserver(runId);
        listener.RecordObservableInstruments();
        Assert.Empty(Ours());

        var reading = await observer.SampleGpusAsync(new GpuMonitor("/nonexistent/nvidia-smi"));
        listener.RecordObservableInstruments();

        Assert.Equal(GpuUnavailableReason.NvidiaSmiNotInstalled, reading.Unavailable);
        Assert.Same(reading, observer.LastGpuReading);
        Assert.Empty(Ours());
    }

    [Fact]
    public async Task Polling_a_fake_nvidia_smi_feeds_the_gauges()
    {
        using var scripts = new FixtureScripts();
        using var observer = new TrainingMetricsObserver(runId);
        using var stop = new CancellationTokenSource();
        var polling = observer.PollGpusAsync(new GpuMonitor(scripts.Printing("0, NVIDIA H200, 512, 143771, 12, 40")), TimeSpan.FromMilliseconds(50), stop.Token);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (observer.LastGpuReading is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await polling;
        listener.RecordObservableInstruments();

        Assert.Equal([(0, 512d)], PerGpu(Ours(), "acetrainer.gpu.memory.used"));
        Assert.Equal([(0, 40d)], PerGpu(Ours(), "acetrainer.gpu.temperature"));
    }

    [Fact]
    public async Task Polling_stops_by_itself_when_there_is_no_gpu()
    {
        using var observer = new TrainingMetricsObserver(runId);

        await observer.PollGpusAsync(new GpuMonitor("/nonexistent/nvidia-smi"), TimeSpan.FromMilliseconds(10)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(GpuUnavailableReason.NvidiaSmiNotInstalled, observer.LastGpuReading?.Unavailable);
    }

    [Fact]
    public void A_run_id_is_required() =>
        Assert.Throws<ArgumentException>(() => new TrainingMetricsObserver(" "));

    private static StepMetrics Step(long step, double loss, double learningRate, double gradNorm, double samplesPerSecond) =>
        new(step, 0, loss, loss, learningRate, gradNorm, samplesPerSecond, ElapsedSeconds: step, EtaSeconds: 10, TotalSteps: 10);

    private static double[] Values(List<Recorded> records, string instrument) =>
        [.. records.Where(r => r.Instrument == instrument).Select(r => r.Value)];

    private static (int, double)[] PerGpu(List<Recorded> records, string instrument) =>
        [.. records.Where(r => r.Instrument == instrument).Select(r => ((int)r.Tags[TrainingMetricsObserver.GpuIndexTag]!, r.Value)).OrderBy(p => p.Item1)];

    private List<Recorded> Ours()
    {
        lock (recorded)
        {
            return [.. recorded.Where(r => Equals(r.Tags.GetValueOrDefault(TrainingMetricsObserver.RunIdTag), runId))];
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (recorded)
        {
            recorded.Add(new Recorded(instrument.Name, value, copy));
        }
    }

    private sealed record Recorded(string Instrument, double Value, Dictionary<string, object?> Tags);
}
