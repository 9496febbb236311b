using System.Diagnostics;
using System.Text.Json;
using AceTrainer.AceStep.Metrics;
using AceTrainer.AceStep.Preparation;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Lora;
using AceTrainer.Engine.Optim;

namespace AceTrainer.AceStep.Training;

/// <summary>
/// Trains a LoRA adapter on prepared samples with upstream's recipe (see <see cref="FlowMatching"/>): one sample
/// per micro-batch, CFG dropout of text, lyrics and speaker, gradient accumulation, clipping, AdamW with a
/// scheduled learning rate, checkpoints every N optimizer steps and at the end. All randomness of micro-batch m
/// is seeded from (seed, m), so resuming from a checkpoint reproduces the uninterrupted run's trajectory.
/// </summary>
public sealed class LoraTrainer : IDisposable
{
    private readonly TrainingConfig config;
    private readonly AceStepTransformer model;
    private readonly ISampleSource samples;
    private readonly ITrainingObserver? observer;
    private readonly Device device;
    private readonly DType dtype;
    private readonly FlowMatching flow;
    private readonly AdamW optimizer;
    private readonly LearningRateSchedule schedule;
    private readonly SampleOrder order;
    private readonly List<(string Name, Tensor Parameter)> adapter;

    /// <summary>
    /// Attaches the adapter to <paramref name="model"/> (already on its device and dtype), then loads
    /// <see cref="TrainingConfig.InitLora"/> weights if given. The samples stay owned by the caller.
    /// </summary>
    public LoraTrainer(TrainingConfig config, AceStepTransformer model, IReadOnlyList<PreparedSample> samples, Device device, ITrainingObserver? observer = null)
        : this(config, model, new CachedSamples(samples), device, observer)
    {
    }

    public LoraTrainer(TrainingConfig config, AceStepTransformer model, ISampleSource samples, Device device, ITrainingObserver? observer = null)
    {
        this.config = config.EnsureValid();
        this.model = model;
        this.samples = samples;
        this.observer = observer;
        this.device = device;
        dtype = config.Precision == "bf16" ? DType.BFloat16 : DType.Float32;
        flow = new FlowMatching(config.Shift);
        Plan = TrainingPlan.For(config, samples.Count);
        order = new SampleOrder(Plan, config.Seed);
        model.GradientCheckpointing = config.GradientCheckpointing;
        LoraNetwork.Attach(model, config.Lora);
        if (config.InitLora is { } init) LoadInitialAdapter(init);
        adapter = LoraNetwork.Parameters(model);
        optimizer = new AdamW(adapter.Select(p => p.Parameter), new AdamWOptions(config.LearningRate, config.Beta1, config.Beta2, config.Epsilon, config.WeightDecay));
        schedule = config.Scheduler switch
        {
            "constant" => new ConstantSchedule(config.WarmupSteps),
            "cosine" => new CosineSchedule(config.WarmupSteps, Plan.TotalSteps),
            "cosine_with_restarts" => new CosineWithRestartsSchedule(config.WarmupSteps, Plan.TotalSteps, config.Cycles),
            _ => new LinearSchedule(config.WarmupSteps, Plan.TotalSteps),
        };
    }

    /// <summary>The TensorBoard folder under output_dir; every run (a resumed one too) adds an event file there.</summary>
    public const string LogFolder = "logs";

    public TrainingPlan Plan { get; }

    /// <summary>Trainable adapter parameters.</summary>
    public long TrainableParameters => adapter.Sum(p => p.Parameter.Numel);

    public TrainingResult Train(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(config.OutputDir);
        File.WriteAllText(Path.Combine(config.OutputDir, "config.json"), config.ToJson());
        var step = 0L;
        if (config.ResumeFrom is { } resume)
        {
            var folder = TrainingCheckpoint.Resolve(config.OutputDir, resume);
            var state = TrainingCheckpoint.Load(folder, model, optimizer);
            if (state.Seed != config.Seed) Log($"warning: the checkpoint was trained with seed {state.Seed}, this run uses {config.Seed}");
            step = state.Step;
            Log($"resumed from {Path.GetFileName(folder)} at step {step}");
        }
        model.Train();
        Log($"training {TrainableParameters:N0} adapter parameters for {Plan.TotalSteps} steps ({Plan.TotalEpochs:0.##} epochs of {Plan.Samples} samples x {Plan.RepeatCount}, accumulation {Plan.AccumulationSteps}) on {device} in {config.Precision}");

        var metrics = new List<StepMetrics>();
        var metricsPath = Path.Combine(config.OutputDir, "metrics.jsonl");
        if (step > 0) KeepMetricsUpTo(metricsPath, step);
        using var metricsFile = new StreamWriter(metricsPath, append: step > 0);
        using var tensorBoard = new TensorBoardObserver(Path.Combine(config.OutputDir, LogFolder));
        Log($"TensorBoard events: {tensorBoard.FilePath} (tensorboard --logdir {Path.Combine(config.OutputDir, LogFolder)})");
        var clock = Stopwatch.StartNew();
        var startStep = step;
        CheckpointSaved? last = null;
        while (step < Plan.TotalSteps)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                if (last?.Step != step && step > startStep) last = SaveCheckpoint(step);
                return new TrainingResult(TrainingOutcome.Cancelled, step, metrics, last);
            }
            schedule.Apply(optimizer, step);
            var loss = 0.0;
            for (var micro = 0; micro < Plan.AccumulationSteps; micro++)
                loss += MicroBatch(step * Plan.AccumulationSteps + micro) / Plan.AccumulationSteps;
            if (!double.IsFinite(loss))
                throw new InvalidOperationException($"the loss became {loss} at step {step + 1}: the run diverged (lower learning_rate, or train in fp32)");
            var gradNorm = GradientClipping.ClipGradNorm(adapter.Select(p => p.Parameter), config.MaxGradNorm);
            optimizer.Step();
            optimizer.ZeroGrad();
            step++;

            var elapsed = clock.Elapsed.TotalSeconds;
            var done = step - startStep;
            var entry = new StepMetrics(step, Plan.EpochOfStep(step - 1), loss, loss, optimizer.LearningRate, gradNorm,
                done * Plan.AccumulationSteps / Math.Max(elapsed, 1e-9), elapsed, elapsed / done * (Plan.TotalSteps - step), Plan.TotalSteps);
            metrics.Add(entry);
            metricsFile.WriteLine(JsonSerializer.Serialize(entry));
            metricsFile.Flush();
            tensorBoard.OnStep(entry);
            observer?.OnStep(entry);
            if (step % config.CheckpointEvery == 0 || step == Plan.TotalSteps) last = SaveCheckpoint(step);
        }
        return new TrainingResult(TrainingOutcome.Completed, step, metrics, last);
    }

    /// <summary>
    /// A run that died after its last checkpoint logged steps it will now train again: drop them, so the history
    /// has each step once and continues where the checkpoint stands.
    /// </summary>
    private static void KeepMetricsUpTo(string path, long step)
    {
        if (!File.Exists(path)) return;
        var kept = File.ReadLines(path).Where(line => line.Length > 0 && JsonSerializer.Deserialize<StepMetrics>(line)!.Step <= step).ToList();
        File.WriteAllLines(path + ".partial", kept);
        File.Move(path + ".partial", path, overwrite: true);
    }

    /// <summary>Forward and backward of one sample; returns its (unscaled) loss.</summary>
    private double MicroBatch(long microBatch)
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed(StepSeed.Mix64(config.Seed, microBatch, salt: 2));
        var sample = samples.Get(order.SampleAt(microBatch), microBatch);
        using var owned = samples.CallerDisposes ? sample : null;
        var variant = new Random(StepSeed.Mix(config.Seed, microBatch, salt: 3)).Next(sample.PromptVariants);

        var latents = sample.Latents.Unsqueeze(0).To(device, DType.Float32);
        var frames = latents.Size(-1);
        var frameMask = Tensor.Ones([1, frames], DType.Float32, device);
        var textStates = sample.TextStates.Select(0, variant).Unsqueeze(0).To(device, dtype);
        var textMask = sample.TextMask.Select(0, variant).Unsqueeze(0).To(device, DType.Float32);
        var lyricTokens = sample.LyricTokens.Unsqueeze(0).To(device);
        var lyricMask = sample.LyricMask.Unsqueeze(0).To(device, DType.Float32);
        var speaker = Tensor.Zeros([1, model.Config.SpeakerEmbeddingDim], dtype, device);

        // Classifier-free guidance dropout, in upstream's order: text, speaker, lyrics.
        if (Draw() < config.TextDropout) textStates = Tensor.ZerosLike(textStates);
        _ = Draw() < config.SpeakerDropout; // the speaker embedding is always zero here, but the draw keeps upstream's sequence
        if (Draw() < config.LyricsDropout)
        {
            lyricTokens = Tensor.ZerosLike(lyricTokens);
            lyricMask = Tensor.ZerosLike(lyricMask);
        }

        var noise = Tensor.RandnLike(latents);
        var index = flow.SampleIndices(1, config.LogitMean, config.LogitStd)[0];
        var sigmaValue = flow.Sigma(index);
        var sigma = Tensor.Full([1, 1, 1, 1], sigmaValue, DType.Float32, device);
        var noisy = FlowMatching.Noisy(latents, noise, sigma);
        // float32 even in bf16 runs: bf16 would round t≈700 to a multiple of 4 before the sinusoidal embedding
        var timestep = Tensor.Full([1], sigmaValue * flow.TrainSteps, DType.Float32, device);

        var velocity = model.Forward(new TransformerInputs(noisy.To(dtype), frameMask.To(dtype), textStates, textMask.To(dtype), speaker,
            lyricTokens, lyricMask.To(dtype), timestep));
        var loss = FlowMatching.Loss(velocity.To(DType.Float32), noisy, sigma, latents, frameMask);
        var value = loss.Item();
        if (!double.IsFinite(value)) throw new InvalidOperationException($"loss is {value} at micro-batch {microBatch} (sample {sample.Key}); lower the learning rate or use fp32");
        (loss / Plan.AccumulationSteps).Backward();
        return value;

        double Draw()
        {
            using var u = Tensor.Rand([1]);
            return u.Item();
        }
    }

    private CheckpointSaved SaveCheckpoint(long step)
    {
        var state = new TrainerState(step, Plan.EpochOfStep(step - 1), step * Plan.AccumulationSteps, config.Seed);
        var saved = TrainingCheckpoint.Save(config.OutputDir, model, config.Lora, optimizer, state);
        observer?.OnCheckpoint(saved);
        Log($"checkpoint {Path.GetFileName(saved.Folder)}");
        return saved;
    }

    private void LoadInitialAdapter(string path)
    {
        // a checkpoint folder: the exact training file; any other adapter file is rescaled to this run's scale on load
        var file = !Directory.Exists(path) ? path
            : File.Exists(Path.Combine(path, TrainingCheckpoint.TrainingAdapterFileName)) ? Path.Combine(path, TrainingCheckpoint.TrainingAdapterFileName)
            : Path.Combine(path, LoraNetwork.WeightsFileName);
        var stored = LoraNetwork.ReadSettings(file);
        if (stored.Rank != config.Lora.Rank || !stored.TargetModules.Order().SequenceEqual(config.Lora.TargetModules.Order()))
            throw new ArgumentException($"init_lora {file} has rank {stored.Rank} and targets [{string.Join(", ", stored.TargetModules)}]; the run is configured for rank {config.Lora.Rank} and [{string.Join(", ", config.Lora.TargetModules)}]");
        LoraNetwork.Load(model, file);
        Log($"adapter initialised from {file}");
    }

    private void Log(string message) => observer?.OnLog(message);

    public void Dispose() => optimizer.Dispose();
}
