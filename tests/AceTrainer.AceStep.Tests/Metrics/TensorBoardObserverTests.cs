using AceTrainer.AceStep.Metrics;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Tests.Training;
using AceTrainer.AceStep.Training;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Metrics;

public class TensorBoardObserverTests
{
    [Fact]
    public void Each_step_logs_the_five_train_scalars()
    {
        using var folder = new TempFolder();
        using (var observer = new TensorBoardObserver(folder.Path))
        {
            observer.OnStep(new StepMetrics(Step: 7, Epoch: 1, Loss: 0.75, DenoisingLoss: 0.5, LearningRate: 2e-4, GradNorm: 1.25,
                SamplesPerSecond: 3.5, ElapsedSeconds: 10, EtaSeconds: 20, TotalSteps: 100));
            observer.OnLog("ignored");
        }
        var record = Assert.Single(EventFileReader.Read(folder.Path)).Records[1];
        Assert.Equal(7, record.Step);
        Assert.Equal(new Dictionary<string, double>
        {
            ["train/loss"] = 0.75, ["train/denoising_loss"] = 0.5, ["train/learning_rate"] = (float)2e-4,
            ["train/grad_norm"] = 1.25, ["train/samples_per_second"] = 3.5,
        }, record.Scalars);
    }

    [Fact]
    public void A_training_run_and_its_resumption_log_every_step_under_output_logs()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(2, AceStepTransformerConfig.Tiny(), frames: 4);
        var config = new TrainingConfig
        {
            DatasetDir = "unused", OutputDir = folder.Path, Device = "cpu", Seed = 3, MaxSteps = 2, CheckpointEvery = 1,
            Lora = TrainingConfig.UpstreamLora with { Rank = 2, Alpha = 2 },
        };
        TrainingResult first, resumed;
        using (var model = new AceStepTransformer(AceStepTransformerConfig.Tiny()))
        using (var trainer = new LoraTrainer(config, model, samples, Device.Cpu))
            first = trainer.Train();
        using (var model = new AceStepTransformer(AceStepTransformerConfig.Tiny()))
        using (var trainer = new LoraTrainer(config with { MaxSteps = 3, ResumeFrom = "latest" }, model, samples, Device.Cpu))
            resumed = trainer.Train();

        var files = EventFileReader.Read(Path.Combine(folder.Path, LoraTrainer.LogFolder));
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.Equal(TensorBoardWriter.FileVersion, f.Records[0].FileVersion));
        var logged = files.SelectMany(f => f.Records.Skip(1)).ToList();
        var expected = first.Metrics.Concat(resumed.Metrics).ToList();
        Assert.Equal([1L, 2L, 3L], logged.Select(r => r.Step).Order());
        foreach (var metrics in expected)
        {
            var record = logged.Single(r => r.Step == metrics.Step);
            Assert.Equal((float)metrics.Loss, (float)record.Scalars!["train/loss"]);
            Assert.Equal((float)metrics.DenoisingLoss, (float)record.Scalars["train/denoising_loss"]);
            Assert.Equal((float)metrics.LearningRate, (float)record.Scalars["train/learning_rate"]);
            Assert.Equal((float)metrics.GradNorm, (float)record.Scalars["train/grad_norm"]);
            Assert.Equal((float)metrics.SamplesPerSecond, (float)record.Scalars["train/samples_per_second"]);
        }
    }
}
