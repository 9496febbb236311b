// Benchmarks: `dotnet run -c Release --project tests/AceTrainer.Benchmarks -- <name>`.
// Each benchmark measures our code and a reference in the same run and prints ratios.
using AceTrainer.Benchmarks;

var benchmarks = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["redis"] = RedisBenchmark.RunAsync,
    ["blobs"] = BlobBenchmark.RunAsync,
    ["engine"] = EngineBenchmark.RunAsync,
    ["ingest"] = IngestBenchmark.RunAsync,
    ["acestep"] = AceStepBenchmark.RunAsync,
    ["chart"] = ChartBenchmark.RunAsync,
    ["runs-fanout"] = RunsFanoutBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: AceTrainer.Benchmarks <{string.Join("|", benchmarks.Keys)}> [options]");
    return 2;
}
return await run(args[1..]);
