using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Redis;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TestSupport;
using AceTrainer.WebFrontend.Extensions;
using AceTrainer.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR.Client;

namespace AceTrainer.Benchmarks;

/// <summary>
/// Live run events through the portal: step events published to Redis as the worker does (XADD + PUBLISH), relayed by
/// the in-process portal to SignalR clients (the .NET client) all watching one run. Each event carries its publish time
/// (in its elapsedSeconds field, on this process's clock); every receipt is timed against it. Reference: our plain Redis
/// subscriber on the same pattern, in the same run. Options: --clients N (100), --rate N events/s (20), --seconds N (30).
/// </summary>
public static class RunsFanoutBenchmark
{
    private const double TargetP99Ms = 250;

    public static async Task<int> RunAsync(string[] args)
    {
        var clientCount = BenchmarkArgs.Int(args, "--clients", 100);
        var rate = BenchmarkArgs.Int(args, "--rate", 20);
        var seconds = BenchmarkArgs.Int(args, "--seconds", 30);
        var loadBefore = MachineLoad.Average();

        await using var portal = await InProcessService.StartAsync(builder => builder.BuildWebFrontend(), new Dictionary<string, string?>
        {
            ["OTEL_SERVICE_NAME"] = "runs-fanout-benchmark",
            ["Logging:LogLevel:Default"] = "Warning",
            // The portal runs from the repository root here, where there is no wwwroot; no page is served anyway.
            ["Logging:LogLevel:Microsoft.AspNetCore.StaticFiles"] = "Error",
        });
        // The worker is another process with its own connection; so is the reference subscriber.
        var redisOptions = RedisConnectionOptions.Parse(portal.Redis.ConnectionString);
        await using var workerRedis = new RedisClient(redisOptions);
        await using var plainSubscriber = new RedisSubscriber(redisOptions);
        var publisher = new RunEventPublisher(workerRedis);
        var clock = Stopwatch.StartNew();
        var runId = "bench-" + Guid.NewGuid().ToString("N")[..8];

        var reference = new Receiver();
        await using var subscription = await plainSubscriber.SubscribeAsync(RunChannels.ChannelPattern, message =>
        {
            if (RunChannels.TryParseMessage(message.Text, out var id, out var json)) reference.Record(id, json, clock);
            return Task.CompletedTask;
        }, pattern: true);
        var clients = await ConnectClientsAsync(portal.Url, runId, clientCount, clock);
        try
        {
            // Warm-up: JIT, connections and pools, outside the measurement.
            await PublishAsync(publisher, runId, rate, rate * 2, clock, []);
            await Task.Delay(1000);
            foreach (var (_, receiver) in clients) receiver.Clear();
            reference.Clear();

            var published = new List<string>();
            await PublishAsync(publisher, runId, rate, rate * seconds, clock, published);
            var settled = await WaitForAllAsync(clients.Select(c => c.Receiver).Append(reference), published, TimeSpan.FromSeconds(10));

            Report(clientCount, rate, seconds, published, clients.Select(c => c.Receiver).ToList(), reference, settled, loadBefore);
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.Connection.DisposeAsync().AsTask()));
        }
        return 0;
    }

    private static async Task<List<(HubConnection Connection, Receiver Receiver)>> ConnectClientsAsync(string url, string runId, int count, Stopwatch clock)
    {
        var clients = new List<(HubConnection, Receiver)>();
        for (var i = 0; i < count; i++)
        {
            var receiver = new Receiver();
            var connection = new HubConnectionBuilder().WithUrl(url + RunsHub.Path).Build();
            connection.On<string, string, string>(RunsHub.EventMethod, (_, id, json) => receiver.Record(id, json, clock));
            await connection.StartAsync();
            await connection.InvokeAsync("Watch", runId);
            clients.Add((connection, receiver));
        }
        return clients;
    }

    /// <summary>Publishes at a steady rate; each step event's elapsedSeconds is its publish time on <paramref name="clock"/>.</summary>
    private static async Task PublishAsync(RunEventPublisher publisher, string runId, int rate, int count, Stopwatch clock, List<string> ids)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate));
        for (var step = 1; step <= count; step++)
        {
            await timer.WaitForNextTickAsync();
            var json = JsonSerializer.Serialize(RunEventPublisher.Step(step, clock.Elapsed.TotalSeconds), JsonDefaults.Options);
            ids.Add(await publisher.PublishAsync(runId, json));
        }
    }

    private static async Task<bool> WaitForAllAsync(IEnumerable<Receiver> receivers, List<string> published, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        var all = receivers.ToList();
        var expected = published.ToHashSet();
        while (all.Any(r => r.Ids.Count(expected.Contains) < expected.Count))
        {
            if (deadline.Elapsed > limit) return false;
            await Task.Delay(50);
        }
        return true;
    }

    private static void Report(int clientCount, int rate, int seconds, List<string> published, List<Receiver> clients, Receiver reference, bool settled, string loadBefore)
    {
        var index = published.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var missing = clients.Select(c => index.Count - c.Ids.Count(index.ContainsKey)).ToList();
        var outOfOrder = clients.Count(c => !IsIncreasing(c.Ids.Where(index.ContainsKey).Select(id => index[id])));
        var eventBytes = clients.Select(c => c.SampleJson).OfType<string>().Select(System.Text.Encoding.UTF8.GetByteCount).FirstOrDefault();
        var fanout = Percentiles(clients.SelectMany(c => c.LatenciesMs));
        var plain = Percentiles(reference.LatenciesMs);

        Console.WriteLine();
        Console.WriteLine(Invariant($"Runs fan-out: {clientCount} SignalR clients (.NET, WebSockets) watching one run, {rate} step events/s for {seconds} s, {eventBytes} B each"));
        Console.WriteLine(Invariant($"load average (1/5/15 min) before: {loadBefore}, after: {MachineLoad.Average()}, on {Environment.ProcessorCount} cores"));
        Console.WriteLine(Invariant($"published {published.Count}; deliveries {clients.Sum(c => c.Ids.Count(index.ContainsKey))} of {published.Count * clientCount}{(settled ? "" : " (gave up waiting 10 s after the last publish)")}"));
        Console.WriteLine(Invariant($"missing: {missing.Sum()} in all, {missing.Count(m => m > 0)} clients missed some (most by one client: {missing.DefaultIfEmpty().Max()}); clients with events out of order: {outOfOrder}; reference missing: {index.Count - reference.Ids.Count(index.ContainsKey)}"));
        Console.WriteLine();
        Console.WriteLine(Invariant($"{"latency publish -> receive (ms)",-44}{"p50",8}{"p95",8}{"p99",8}{"max",8}{"n",9}"));
        PrintRow($"portal relay -> {clientCount} SignalR clients", fanout);
        PrintRow("reference: plain Redis subscriber (ours)", plain);
        Console.WriteLine();
        Console.WriteLine(Invariant($"p99 over the reference: {fanout.P99 - plain.P99:F1} ms; target p99 < {TargetP99Ms} ms: {(fanout.P99 < TargetP99Ms && missing.Sum() == 0 ? "met" : "not met")}"));
    }

    private static bool IsIncreasing(IEnumerable<int> values)
    {
        var previous = -1;
        foreach (var value in values)
        {
            if (value <= previous) return false;
            previous = value;
        }
        return true;
    }

    private static void PrintRow(string label, Stats stats) =>
        Console.WriteLine(Invariant($"{label,-44}{stats.P50,8:F1}{stats.P95,8:F1}{stats.P99,8:F1}{stats.Max,8:F1}{stats.Count,9}"));

    private static Stats Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new Stats(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Stats(At(0.50), At(0.95), At(0.99), sorted[^1], sorted.Length);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Stats(double P50, double P95, double P99, double Max, int Count);

    /// <summary>One client's receipts: ids in arrival order and the latency of each.</summary>
    private sealed class Receiver
    {
        // Written by the client's (or subscriber's) receive thread, read by the reporting thread after the run.
        private readonly ConcurrentQueue<(string Id, double LatencyMs)> _received = new();

        public string? SampleJson { get; private set; }
        public IEnumerable<string> Ids => _received.Select(r => r.Id);
        public IEnumerable<double> LatenciesMs => _received.Select(r => r.LatencyMs);

        public void Record(string id, string json, Stopwatch clock)
        {
            var now = clock.Elapsed.TotalSeconds;
            using var document = JsonDocument.Parse(json);
            var publishedAt = document.RootElement.GetProperty("step").GetProperty("elapsedSeconds").GetDouble();
            SampleJson ??= json;
            _received.Enqueue((id, (now - publishedAt) * 1000));
        }

        public void Clear() => _received.Clear();
    }
}
