using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Training;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Lora;

namespace AceTrainer.AceStep.Tests.Training;

public class LoraTrainerTests
{
    private static TrainingConfig Config(string output) => new()
    {
        DatasetDir = "unused", OutputDir = output, Device = "cpu", Seed = 7,
        LearningRate = 1e-2, WarmupSteps = 2, MaxSteps = 6, CheckpointEvery = 3, AccumulationSteps = 2,
        Lora = TrainingConfig.UpstreamLora with { Rank = 4, Alpha = 4 },
    };

    private static AceStepTransformer TinyModel()
    {
        Torch.ManualSeed(1234);
        return new AceStepTransformer(AceStepTransformerConfig.Tiny());
    }

    [Fact]
    public void Resuming_from_a_checkpoint_continues_the_same_loss_trajectory()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(3, AceStepTransformerConfig.Tiny());
        TrainingResult full;
        using (var model = TinyModel())
        using (var trainer = new LoraTrainer(Config(folder.File("full")), model, samples, Device.Cpu))
            full = trainer.Train();

        TrainingResult resumed;
        var checkpoints = TrainingCheckpoint.List(folder.File("full"));
        Assert.Equal([3L, 6L], checkpoints.Select(c => c.State.Step));
        var half = Config(folder.File("resumed")) with { ResumeFrom = checkpoints[0].Folder };
        using (var model = TinyModel())
        using (var trainer = new LoraTrainer(half, model, samples, Device.Cpu))
            resumed = trainer.Train();

        Assert.Equal(TrainingOutcome.Completed, resumed.Outcome);
        Assert.Equal([4L, 5L, 6L], resumed.Metrics.Select(m => m.Step));
        for (var k = 0; k < 3; k++)
        {
            Assert.Equal(full.Metrics[k + 3].Loss, resumed.Metrics[k].Loss, 6);
            Assert.Equal(full.Metrics[k + 3].LearningRate, resumed.Metrics[k].LearningRate, 12);
        }
        Assert.NotEqual(full.Metrics[3].Loss, full.Metrics[4].Loss);
    }

    [Fact]
    public void Resuming_in_the_same_folder_keeps_each_step_once_in_the_metrics_history()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(2, AceStepTransformerConfig.Tiny());
        using (var model = TinyModel())
        using (var trainer = new LoraTrainer(Config(folder.Path) with { MaxSteps = 5 }, model, samples, Device.Cpu))
            trainer.Train(); // checkpoints at 3 and 5; as if the run had died after step 5 with only step 3 saved:
        Directory.Delete(TrainingCheckpoint.List(folder.Path)[^1].Folder, recursive: true);

        using (var model = TinyModel())
        using (var trainer = new LoraTrainer(Config(folder.Path) with { ResumeFrom = "latest" }, model, samples, Device.Cpu))
            trainer.Train();

        var steps = File.ReadAllLines(Path.Combine(folder.Path, "metrics.jsonl"))
            .Select(line => System.Text.Json.JsonSerializer.Deserialize<StepMetrics>(line)!.Step);
        Assert.Equal([1L, 2, 3, 4, 5, 6], steps);
    }

    [Fact]
    public void Steps_epochs_schedule_and_the_final_checkpoint_follow_the_config()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(3, AceStepTransformerConfig.Tiny());
        // 3 samples x repeat 2 = 6 micro-batches per epoch; accumulation 2 -> 3 steps per epoch; 2 epochs -> 6 steps;
        // checkpoint_every 500 is more than max steps, and a checkpoint is still written at the end.
        var config = Config(folder.Path) with { MaxSteps = 0, Epochs = 2, RepeatCount = 2, CheckpointEvery = 500 };
        using var model = TinyModel();
        using var trainer = new LoraTrainer(config, model, samples, Device.Cpu);
        var result = trainer.Train();

        Assert.Equal(6, result.Steps);
        Assert.Equal([0L, 0L, 0L, 1L, 1L, 1L], result.Metrics.Select(m => m.Epoch));
        Assert.Equal(0.0, result.Metrics[0].LearningRate); // warm-up starts at 0, as upstream's LambdaLR
        Assert.Equal(0.5e-2, result.Metrics[1].LearningRate, 12);
        Assert.Equal(1e-2 * (1 - 2.0 / 4), result.Metrics[4].LearningRate, 12); // linear decay after warm-up
        Assert.All(result.Metrics, m => Assert.True(double.IsFinite(m.Loss) && m.GradNorm >= 0));
        var only = Assert.Single(TrainingCheckpoint.List(folder.Path));
        Assert.Equal("epoch=1-step=6_lora", Path.GetFileName(only.Folder));
        Assert.Equal(result.LastCheckpoint!.AdapterPath, Path.Combine(only.Folder, LoraNetwork.WeightsFileName));
        Assert.Equal(6, File.ReadAllLines(folder.File("metrics.jsonl")).Length);
        Assert.Equal(4, LoraNetwork.ReadSettings(only.Folder + "/" + LoraNetwork.WeightsFileName).Rank);
        Assert.True(trainer.TrainableParameters > 0);
    }

    [Fact]
    public void Cancelling_saves_a_checkpoint_to_resume_from()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(2, AceStepTransformerConfig.Tiny());
        using var cancel = new CancellationTokenSource();
        var observer = new CancelAfter(2, cancel);
        using var model = TinyModel();
        using var trainer = new LoraTrainer(Config(folder.Path) with { CheckpointEvery = 100, MaxSteps = 50 }, model, samples, Device.Cpu, observer);
        var result = trainer.Train(cancel.Token);
        Assert.Equal(TrainingOutcome.Cancelled, result.Outcome);
        Assert.Equal(2, result.Steps);
        Assert.Equal(2, TrainingCheckpoint.ReadState(result.LastCheckpoint!.Folder).Step);
    }

    [Fact]
    public void An_init_adapter_of_another_shape_is_refused()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(1, AceStepTransformerConfig.Tiny());
        using (var model = TinyModel())
        using (var trainer = new LoraTrainer(Config(folder.File("a")) with { MaxSteps = 1 }, model, samples, Device.Cpu))
            trainer.Train();
        var adapter = TrainingCheckpoint.List(folder.File("a"))[0].Folder;
        using var other = TinyModel();
        var error = Assert.Throws<ArgumentException>(() => new LoraTrainer(Config(folder.File("b")) with
        {
            InitLora = adapter, Lora = TrainingConfig.UpstreamLora with { Rank = 8, Alpha = 4 },
        }, other, samples, Device.Cpu));
        Assert.Contains("rank 4", error.Message);
    }

    [Fact]
    public void Bf16_runs_keep_float32_adapter_weights_and_train()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(2, AceStepTransformerConfig.Tiny());
        using var model = TinyModel();
        model.To(Device.Cpu, DType.BFloat16);
        using var trainer = new LoraTrainer(Config(folder.Path) with { Precision = "bf16", MaxSteps = 3 }, model, samples, Device.Cpu);
        var result = trainer.Train();
        Assert.All(result.Metrics, m => Assert.True(double.IsFinite(m.Loss) && m.Loss > 0));
        Assert.All(LoraNetwork.Parameters(model), p => Assert.Equal(DType.Float32, p.Parameter.DType));
        Assert.Equal(DType.BFloat16, model.transformer_blocks[0].attn.to_q.weight.DType);
        using var b = model.transformer_blocks[0].attn.to_q.Lora!.B.weight.Abs().Sum();
        Assert.True(b.Item() > 0, "the adapter was updated");
    }

    [Fact]
    public void The_exported_adapter_and_an_init_from_it_reproduce_the_trained_model()
    {
        using var folder = new TempFolder();
        using var samples = SyntheticSamples.Create(2, AceStepTransformerConfig.Tiny());
        using var trained = TinyModel();
        using (var trainer = new LoraTrainer(Config(folder.File("a")) with { MaxSteps = 3 }, trained, samples, Device.Cpu))
            trainer.Train();
        trained.Eval();
        var checkpoint = TrainingCheckpoint.List(folder.File("a"))[^1].Folder;
        var exported = Path.Combine(checkpoint, LoraNetwork.WeightsFileName);
        Assert.Equal(1.0, LoraNetwork.ReadSettings(exported).Scale); // the scale lives in lora_B, as ACE-Step and ComfyUI apply 1.0

        using var scope = new DisposeScope();
        var inputs = Inputs(samples[0]);
        var expected = trained.Forward(inputs);

        using var loaded = TinyModel();
        LoraNetwork.Load(loaded, exported); // attaches from the file: rank 4, scale 1
        loaded.Eval();
        Assert.True((loaded.Forward(inputs) - expected).Abs().Max().Item() < 1e-5, "exported adapter changes the output");

        // init_lora from the exported file into a run configured with scale 1 (rsLoRA, alpha 4, r 4): B is rescaled back
        using var initialised = TinyModel();
        using (new LoraTrainer(Config(folder.File("b")) with { InitLora = exported }, initialised, samples, Device.Cpu)) { }
        initialised.Eval();
        Assert.Equal(2.0, initialised.transformer_blocks[0].attn.to_q.Lora!.Scale);
        Assert.True((initialised.Forward(inputs) - expected).Abs().Max().Item() < 1e-5, "init_lora from the exported file changes the output");
    }

    private static TransformerInputs Inputs(AceStep.Preparation.PreparedSample sample) => new(
        sample.Latents.Unsqueeze(0), Tensor.Ones([1, sample.LatentFrames]), sample.TextStates.Select(0, 0).Unsqueeze(0),
        sample.TextMask.Select(0, 0).Unsqueeze(0), Tensor.Zeros([1, AceStepTransformerConfig.Tiny().SpeakerEmbeddingDim]),
        sample.LyricTokens.Unsqueeze(0), sample.LyricMask.Unsqueeze(0), Tensor.Full([1], 500.0));

    private sealed class CancelAfter(int steps, CancellationTokenSource source) : ITrainingObserver
    {
        public void OnStep(StepMetrics metrics)
        {
            if (metrics.Step >= steps) source.Cancel();
        }

        public void OnCheckpoint(CheckpointSaved checkpoint) { }

        public void OnLog(string message) { }
    }
}
