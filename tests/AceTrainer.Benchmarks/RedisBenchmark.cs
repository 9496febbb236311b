using System.Diagnostics;
using System.Globalization;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.TestSupport;

namespace AceTrainer.Benchmarks;

/// <summary>
/// Our RedisClient against redis-benchmark on the same local redis-server, in two patterns:
/// one caller keeping 16 commands in flight (vs -c 1 -P 16) and 50 callers awaiting one command each (vs -c 50 -P 1).
/// Options: -n N (requests per op and pattern, default 200000), -d bytes (value size, default 3), --reps N (default 3).
/// </summary>
public static class RedisBenchmark
{
    private const int PipelineDepth = 16;
    private const int ConcurrentCallers = 50;

    public static async Task<int> RunAsync(string[] args)
    {
        var requests = BenchmarkArgs.Int(args, "-n", 200_000);
        var valueSize = BenchmarkArgs.Int(args, "-d", 3);
        var reps = BenchmarkArgs.Int(args, "--reps", 3);
        await using var server = await RedisServer.StartNewAsync();
        await using var client = new RedisClient(RedisConnectionOptions.Parse(server.ConnectionString));
        RedisArg key = "key:__rand_int__";
        RedisArg value = new string('x', valueSize);
        var workloads = new (string Op, RedisCommand Command)[]
        {
            ("SET", new RedisCommand("SET", key, value)),
            ("GET", new RedisCommand("GET", key)),
        };

        foreach (var (_, command) in workloads)
        {
            await PipelinedAsync(client, command, Math.Min(requests, 20_000));
            await ConcurrentAsync(client, command, Math.Min(requests, 20_000));
        }

        Console.WriteLine($"requests={requests} valueSize={valueSize} reps={reps} (median of each side) server=127.0.0.1:{server.Port}");
        Console.WriteLine($"{"pattern",-26} {"op",-4} {"ours ops/s",12} {"redis-benchmark",16} {"ratio",6}");
        var allMet = true;
        foreach (var (pattern, depth, clients, run) in new (string, int, int, Func<RedisClient, RedisCommand, int, Task<double>>)[]
        {
            ($"pipelined (1 x {PipelineDepth} in flight)", PipelineDepth, 1, PipelinedAsync),
            ($"concurrent ({ConcurrentCallers} callers)", 1, ConcurrentCallers, ConcurrentAsync),
        })
        {
            // The two sides alternate, reps times, and each reports its median: load that comes and goes on a shared
            // machine then falls on both rather than on whichever ran during the spike.
            var theirs = workloads.ToDictionary(w => w.Op, _ => new List<double>());
            var ours = workloads.ToDictionary(w => w.Op, _ => new List<double>());
            for (var rep = 0; rep < reps; rep++)
            {
                foreach (var (op, rate) in await RedisBenchmarkToolAsync(server.Port, requests, valueSize, clients, depth))
                {
                    theirs.GetValueOrDefault(op)?.Add(rate);
                }
                foreach (var (op, command) in workloads)
                {
                    ours[op].Add(await run(client, command, requests));
                }
            }
            foreach (var (op, _) in workloads)
            {
                var ratio = Median(ours[op]) / Median(theirs[op]);
                allMet &= ratio >= 0.7;
                Console.WriteLine($"{pattern,-26} {op,-4} {Median(ours[op]),12:N0} {Median(theirs[op]),16:N0} {ratio,6:0.00}");
            }
        }
        Console.WriteLine(allMet ? "all ratios >= 0.7" : "some ratios < 0.7");
        return 0;
    }

    // Same shape as redis-benchmark -P 16: issue 16 commands without awaiting, then await all 16, repeat.
    private static async Task<double> PipelinedAsync(RedisClient client, RedisCommand command, int requests)
    {
        var inFlight = new Task<RedisReply>[PipelineDepth];
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < requests; sent += PipelineDepth)
        {
            for (var slot = 0; slot < PipelineDepth; slot++)
            {
                inFlight[slot] = client.ExecuteAsync(command.Name, command.Args);
            }
            await Task.WhenAll(inFlight);
        }
        return requests / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ConcurrentAsync(RedisClient client, RedisCommand command, int requests)
    {
        var perCaller = requests / ConcurrentCallers;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, ConcurrentCallers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                await client.ExecuteAsync(command.Name, command.Args);
            }
        })));
        return perCaller * ConcurrentCallers / clock.Elapsed.TotalSeconds;
    }

    private static async Task<Dictionary<string, double>> RedisBenchmarkToolAsync(int port, int requests, int valueSize, int clients, int pipeline)
    {
        var start = new ProcessStartInfo("redis-benchmark")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-h", "127.0.0.1", "-p", $"{port}", "-t", "set,get", "-n", $"{requests}", "-d", $"{valueSize}",
                     "-c", $"{clients}", "-P", $"{pipeline}", "--csv" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-benchmark");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        // --csv lines look like: "SET","123456.78","0.1",... (the first line is a header).
        var results = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(',').Select(f => f.Trim().Trim('"')).ToArray();
            if (fields.Length >= 2 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rps))
            {
                results[fields[0]] = rps;
            }
        }
        return results.ContainsKey("SET") && results.ContainsKey("GET")
            ? results
            : throw new InvalidOperationException($"could not parse redis-benchmark output:\n{output}");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
