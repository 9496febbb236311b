using System.Diagnostics;
using AceTrainer.AceStep.Preparation;
using AceTrainer.AceStep.Training;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.Benchmarks;

/// <summary>
/// LoRA training steps of the ACE-Step transformer through our real loop (<see cref="LoraTrainer"/>): random
/// weights, upstream LoRA targets, one clip per step, gradient checkpointing. Prints step time, peak GPU memory and
/// model-FLOPs utilisation against a large matmul measured through the same binding in the same run (and against a
/// nominal peak when --peak-tflops is given).
/// Model FLOPs = forward + input-gradient backward of every matmul (the base is frozen, so no weight gradients;
/// checkpoint recomputation is not counted), from <see cref="Flops"/>.
/// Options: --device cuda|cpu (default cuda when present), --model full|tiny (default full on cuda, tiny on cpu),
/// --seconds 60, --rank 16, --steps 5, --warmup 2, --text-tokens 128, --lyric-tokens 256, --precision bf16|fp32
/// (default bf16 on cuda), --checkpointing on|off, --peak-tflops N.
/// </summary>
public static class AceStepBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var cuda = (BenchmarkArgs.Text(args, "--device") ?? (Torch.CudaIsAvailable ? "cuda" : "cpu")) == "cuda";
        var device = cuda ? Device.Cuda() : Device.Cpu;
        var full = (BenchmarkArgs.Text(args, "--model") ?? (cuda ? "full" : "tiny")) == "full";
        var precision = BenchmarkArgs.Text(args, "--precision") ?? (cuda ? "bf16" : "fp32");
        var dtype = precision == "bf16" ? DType.BFloat16 : DType.Float32;
        var seconds = BenchmarkArgs.Int(args, "--seconds", 60);
        var rank = BenchmarkArgs.Int(args, "--rank", 16);
        var steps = BenchmarkArgs.Int(args, "--steps", 5);
        var warmup = BenchmarkArgs.Int(args, "--warmup", 2);
        var textTokens = BenchmarkArgs.Int(args, "--text-tokens", 128);
        var lyricTokens = BenchmarkArgs.Int(args, "--lyric-tokens", 256);
        var checkpointing = BenchmarkArgs.Text(args, "--checkpointing") != "off";
        var peak = BenchmarkArgs.Text(args, "--peak-tflops") is { } p ? double.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : (double?)null;
        var config = full ? AceStepTransformerConfig.AceStepV1() : AceStepTransformerConfig.Tiny();
        var frames = (long)(seconds * 44100.0 / 512 / 8);

        var matmul = MatmulTflops(device, dtype, cuda ? 8192 : 1024);
        Console.WriteLine($"acestep benchmark: {(full ? "full-size" : "tiny")} transformer, {precision} on {device}, LoRA r={rank} on the upstream targets, " +
                          $"{seconds} s clip ({frames} latent frames), {textTokens} text + {lyricTokens} lyric tokens, checkpointing {(checkpointing ? "on" : "off")}");
        Console.WriteLine($"  reference matmul ({(cuda ? 8192 : 1024)}^3 {dtype}): {matmul:F3} TFLOP/s");

        Torch.ManualSeed(0);
        using var model = RandomModel(config, device, dtype);
        var sample = new PreparedSample
        {
            Key = "benchmark",
            ContentHash = "benchmark",
            Latents = Tensor.Randn([8, 16, frames]).DetachFromDisposeScope(),
            TextStates = Tensor.Randn([1, textTokens, config.TextEmbeddingDim]).DetachFromDisposeScope(),
            TextMask = Tensor.Ones([1, textTokens]).DetachFromDisposeScope(),
            LyricTokens = Tensor.RandInt(3, config.LyricEncoderVocabSize, [lyricTokens]).DetachFromDisposeScope(),
            LyricMask = Tensor.Ones([lyricTokens]).DetachFromDisposeScope(),
        };
        var output = Directory.CreateTempSubdirectory("acestep-benchmark-").FullName;
        try
        {
            var run = new TrainingConfig
            {
                DatasetDir = "synthetic", OutputDir = output, Device = cuda ? "cuda" : "cpu", Precision = precision,
                MaxSteps = warmup + steps, CheckpointEvery = 1_000_000, GradientCheckpointing = checkpointing,
                Lora = TrainingConfig.UpstreamLora with { Rank = rank, Alpha = 32 },
            };
            using var trainer = new LoraTrainer(run, model, [sample], device);
            var result = trainer.Train();
            var times = result.Metrics.Select((m, k) => m.ElapsedSeconds - (k == 0 ? 0 : result.Metrics[k - 1].ElapsedSeconds)).Skip(warmup).Order().ToList();
            var stepSeconds = times[times.Count / 2];
            var flops = Flops.TrainingStep(config, frames, textTokens, lyricTokens);
            var achieved = flops / stepSeconds / 1e12;
            Console.WriteLine($"  step time median {stepSeconds * 1000:F1} ms over {steps} steps ({trainer.TrainableParameters:N0} trainable of {model.ParameterCount():N0} parameters)");
            Console.WriteLine($"  model FLOPs {flops / 1e12:F4} TFLOP/step -> {achieved:F3} TFLOP/s = {achieved / matmul:P1} of the measured matmul" +
                              (peak is { } nominal ? $", MFU {achieved / nominal:P1} of {nominal} TFLOP/s (target >= 35%)" : ""));
            if (cuda)
            {
                var memory = Torch.CudaMemory();
                Console.WriteLine($"  peak GPU memory allocated {memory.PeakAllocatedBytes / 1e9:F2} GB, reserved {memory.PeakReservedBytes / 1e9:F2} GB (target <= 14 GB)");
            }
            Console.WriteLine($"  final loss {result.Metrics[^1].Loss:F4}");
        }
        finally
        {
            sample.Dispose();
            Directory.Delete(output, recursive: true);
        }
        return Task.FromResult(0);
    }

    /// <summary>The transformer allocated once on the target, filled with N(0, 0.02) (norm scales with ones).</summary>
    private static AceStepTransformer RandomModel(AceStepTransformerConfig config, Device device, DType dtype)
    {
        AceStepTransformer model;
        using (ModuleInit.On(device, dtype)) model = new AceStepTransformer(config);
        using var noGrad = Torch.NoGrad();
        foreach (var (name, p) in model.NamedParameters())
        {
            if (p.Dim == 1 && (name.EndsWith("norm.weight", StringComparison.Ordinal) || name.Contains("norm", StringComparison.Ordinal))) p.Fill_(1);
            else p.Normal_(0, 0.02);
        }
        foreach (var (_, b) in model.NamedBuffers()) b.Zero_();
        return model;
    }

    private static double MatmulTflops(Device device, DType dtype, long n)
    {
        using var scope = new DisposeScope();
        var a = Tensor.Randn([n, n], dtype, device);
        var b = Tensor.Randn([n, n], dtype, device);
        _ = a.MatMul(b).Sum().Item();
        var clock = Stopwatch.StartNew();
        const int repeats = 5;
        for (var k = 0; k < repeats; k++)
        {
            using var c = a.MatMul(b);
            if (k == repeats - 1) _ = c.Sum().Item();
        }
        return 2.0 * n * n * n * repeats / clock.Elapsed.TotalSeconds / 1e12;
    }

    /// <summary>Analytic multiply-accumulate counts of one training sample through the transformer.</summary>
    public static class Flops
    {
        /// <summary>2 FLOPs per MAC, forward + input gradients (2× forward) for a frozen base.</summary>
        public static double TrainingStep(AceStepTransformerConfig c, long frames, long textTokens, long lyricTokens) =>
            2 * 2 * ForwardMacs(c, frames, textTokens, lyricTokens);

        public static double ForwardMacs(AceStepTransformerConfig c, long t, long text, long lyric)
        {
            double d = c.InnerDim, h = c.LyricEncoderOutputSize, units = c.LyricEncoderLinearUnits;
            var condition = 1 + text + lyric;
            var hidden = c.MlpRatio * d;
            var perBlock = t * d * d * 4            // self-attention q, k, v, out
                + t * d * 2 * (d / c.NumAttentionHeads) // linear attention kᵀv and q(kᵀv) per head
                + t * d * d * 2 + condition * d * d * 2 // cross-attention q, out on latents; k, v on the condition
                + 2.0 * t * condition * d               // cross-attention scores and weighted values
                + t * d * 2 * hidden + t * 2 * hidden * 3 + t * hidden * d; // GLUMBConv: inverted, depthwise, point
            var lyricEncoder = c.LyricEncoderNumBlocks * (lyric * h * h * 5 + 2.0 * lyric * lyric * h + 2 * lyric * h * units * 2)
                + lyric * c.LyricHiddenSize * h + lyric * h * d;
            var patchHidden = c.InChannels * 256.0; // PatchEmbed's first conv width
            var embeddings = t * c.InChannels * c.MaxHeight * patchHidden + t * patchHidden * d // proj_in
                + text * c.TextEmbeddingDim * d + t * d * c.OutChannels * c.MaxHeight;       // genre embedder, final layer
            return c.NumLayers * perBlock + lyricEncoder + embeddings;
        }
    }
}
