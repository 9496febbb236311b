using System.Diagnostics;
using System.Globalization;
using AceTrainer.Engine;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.Optim;

/// <summary>
/// Training step of a small transformer stack (pre-LN blocks, causal attention, GELU MLP, AdamW)
/// in the C# engine versus the same model in Python PyTorch on the same libtorch, same thread count.
/// Options: --steps N (measured, default 6) --warmup N (default 2) --threads N (default: cores)
/// --blocks/--width/--seq/--batch, --device cpu|cuda, --dtype float32|bfloat16 (engine side; the
/// Python reference follows the same flags), --python PATH (default /usr/bin/python3).
/// </summary>
public static class EngineBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = Options.Parse(args);
        Torch.NumThreads = o.Threads;
        Console.WriteLine($"engine benchmark: {o.Blocks} blocks, width {o.Width}, sequence {o.Seq}, batch {o.Batch}, {o.Threads} threads, {o.Device} {o.DType}");
        var engine = MeasureEngine(o);
        Console.WriteLine($"  C# engine   median {engine:F1} ms/step");
        var python = await MeasurePythonAsync(o);
        Console.WriteLine($"  PyTorch     median {python:F1} ms/step");
        var ratio = engine / python;
        Console.WriteLine($"  ratio C#/Python = {ratio:F3} (target <= 1.05) {(ratio <= 1.05 ? "OK" : "ABOVE TARGET")}");
        return 0;
    }

    private static double MeasureEngine(Options o)
    {
        Torch.ManualSeed(0);
        var device = o.Device == "cuda" ? Device.Cuda() : Device.Cpu;
        var dtype = o.DType == "bfloat16" ? DType.BFloat16 : DType.Float32;
        using var model = new TransformerStack(o.Blocks, o.Width, o.Width / 64);
        model.To(device, dtype);
        using var optimizer = new AdamW(model.Parameters(), new AdamWOptions(LearningRate: 1e-4));
        using var x = Tensor.Randn([o.Batch, o.Seq, o.Width], dtype, device).DetachFromDisposeScope();
        using var y = Tensor.Randn([o.Batch, o.Seq, o.Width], dtype, device).DetachFromDisposeScope();
        var times = new List<double>();
        for (var step = 0; step < o.Warmup + o.Steps; step++)
        {
            var clock = Stopwatch.StartNew();
            using (new DisposeScope())
            {
                var loss = Functional.MseLoss(model.Forward(x), y);
                loss.Backward();
                optimizer.Step();
                optimizer.ZeroGrad();
                _ = loss.Item(); // synchronises with the device
            }
            if (step >= o.Warmup) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    private static async Task<double> MeasurePythonAsync(Options o)
    {
        var script = Path.Combine(Path.GetTempPath(), $"engine_benchmark_{Environment.ProcessId}.py");
        await File.WriteAllTextAsync(script, PythonReference.Script);
        try
        {
            var start = new ProcessStartInfo(o.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { script, $"{o.Blocks}", $"{o.Width}", $"{o.Seq}", $"{o.Batch}", $"{o.Threads}", $"{o.Warmup}", $"{o.Steps}", o.Device, o.DType })
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stdout = await process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"python reference failed: {stderr}");
            var times = stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
            return Median(times);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private sealed record Options(int Blocks, int Width, int Seq, int Batch, int Threads, int Warmup, int Steps, string Device, string DType, string Python)
    {
        public static Options Parse(string[] args)
        {
            string Get(string name, string fallback)
            {
                var k = Array.IndexOf(args, $"--{name}");
                return k >= 0 && k + 1 < args.Length ? args[k + 1] : fallback;
            }
            int Int(string name, int fallback) => int.Parse(Get(name, $"{fallback}"), CultureInfo.InvariantCulture);
            return new Options(Int("blocks", 4), Int("width", 512), Int("seq", 256), Int("batch", 4), Int("threads", Environment.ProcessorCount),
                Int("warmup", 2), Int("steps", 6), Get("device", "cpu"), Get("dtype", "float32"), Get("python", "/usr/bin/python3"));
        }
    }
}
