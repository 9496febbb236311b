using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using AceTrainer.DatasetService;
using AceTrainer.DatasetService.Audio;
using AceTrainer.DatasetService.Extensions;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.TestSupport;
using AceTrainer.TestSupport.Audio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AceTrainer.Benchmarks;

/// <summary>
/// Songs uploaded through the real DatasetService (HTTP multipart -> staging -> ffprobe + ffmpeg analysis -> Azurite),
/// against ffprobe alone on the same files. Options: --files N (50), --seconds N (180), --format mp3|flac (mp3),
/// --per-request N (10). Generated songs are kept in the temp folder for the next run.
/// </summary>
public static class IngestBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = BenchmarkArgs.Int(args, "--files", 50);
        var seconds = BenchmarkArgs.Int(args, "--seconds", 180);
        var perRequest = BenchmarkArgs.Int(args, "--per-request", 10);
        var format = BenchmarkArgs.Text(args, "--format") is "flac" ? "flac" : "mp3";
        var loadBefore = MachineLoad.Average();

        var files = await GenerateSongsAsync(count, seconds, format);
        var megabytes = files.Sum(f => new FileInfo(f).Length) / 1e6;
        await using var service = await InProcessService.StartAsync(builder => builder.BuildDatasetService(), new Dictionary<string, string?>
        {
            ["OTEL_SERVICE_NAME"] = "ingest-benchmark",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        using var http = service.CreateClient(TimeSpan.FromMinutes(30));
        var concurrency = service.Services.GetRequiredService<IOptions<DatasetOptions>>().Value.ProbeConcurrency;

        await UploadAsync(http, await CreateDatasetAsync(http, "warm-up"), files[..1]);
        var dataset = await CreateDatasetAsync(http, "bench");
        var endToEnd = await TimeAsync(async () =>
        {
            foreach (var batch in files.Chunk(perRequest))
            {
                await UploadAsync(http, dataset, batch);
            }
        });
        await VerifyAsync(http, dataset, count, seconds);

        var prober = service.Services.GetRequiredService<AudioProber>();
        var ours = await TimeAsync(() => Task.WhenAll(files.Select(async f =>
        {
            if ((await prober.ProbeAsync(f, CancellationToken.None)).Facts is null)
            {
                throw new InvalidOperationException($"{f} was rejected by the prober");
            }
        })));
        var ffprobe = await TimeAsync(() => FfprobeAllAsync(files, concurrency));

        Console.WriteLine();
        Console.WriteLine(Invariant($"Ingest: {count} x {seconds} s {format} songs, {megabytes:F1} MB, {perRequest} files per request, probes {concurrency} at a time"));
        Console.WriteLine(Invariant($"load average (1/5/15 min) before: {loadBefore}, after: {MachineLoad.Average()}, on {Environment.ProcessorCount} cores"));
        Console.WriteLine();
        Console.WriteLine(Invariant($"{"measured",-62}{"seconds",10}{"ms/file",10}{"MB/s",10}"));
        PrintRow("end to end: HTTP upload -> staged -> probed + analysed -> blobs", endToEnd, count, megabytes);
        PrintRow("probe, ours: ffprobe + one ffmpeg decode/analysis pass", ours, count, megabytes);
        PrintRow("reference: ffprobe alone", ffprobe, count, megabytes);
        Console.WriteLine();
        Console.WriteLine(Invariant($"probe ours / ffprobe alone: {ours / ffprobe:F1}x the time"));
        Console.WriteLine(Invariant($"end to end / ffprobe alone: {endToEnd / ffprobe:F1}x the time"));
        return 0;
    }

    private static async Task<string[]> GenerateSongsAsync(int count, int seconds, string format)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "acetrainer-ingest-bench", $"{format}-{seconds}s")).FullName;
        var files = Enumerable.Range(0, count).Select(i => Path.Combine(folder, Invariant($"song-{i:000}.{format}"))).ToArray();
        var missing = files.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            Console.WriteLine($"Generating {missing.Count} songs of {seconds} s in {folder} ...");
        }
        // Each song differs (tone and noise seed), so content-addressed storage cannot fold them into one blob.
        await Parallel.ForEachAsync(missing, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (file, ct) =>
        {
            var i = Array.IndexOf(files, file);
            var partial = file + ".partial";
            string[] codec = format == "flac" ? ["-c:a", "flac"] : ["-b:a", "192k"];
            await Ffmpeg.RunAsync([
                "-f", "lavfi", "-i", Invariant($"sine=f={110 + i * 7}:d={seconds}"),
                "-f", "lavfi", "-i", Invariant($"anoisesrc=d={seconds}:c=pink:a=0.1:seed={i + 1}"),
                "-filter_complex", "amix=inputs=2,volume=2", "-ac", "2", "-ar", "44100", .. codec, "-f", format, partial]);
            File.Move(partial, file);
        });
        return files;
    }

    private static async Task<string> CreateDatasetAsync(HttpClient http, string name)
    {
        var response = await http.PostAsJsonAsync("/api/datasets", new CreateDatasetRequest(name), JsonDefaults.Options);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DatasetSummary>(JsonDefaults.Options))!.Id;
    }

    private static async Task UploadAsync(HttpClient http, string datasetId, IEnumerable<string> files)
    {
        using var content = new MultipartFormDataContent();
        foreach (var file in files)
        {
            content.Add(new StreamContent(File.OpenRead(file), 1 << 20), "files", Path.GetFileName(file));
        }
        var response = await http.PostAsync($"/api/datasets/{datasetId}/samples", content);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"upload failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static async Task VerifyAsync(HttpClient http, string datasetId, int count, int seconds)
    {
        var samples = (await http.GetFromJsonAsync<List<SampleResponse>>($"/api/datasets/{datasetId}/samples", JsonDefaults.Options))!;
        if (samples.Count != count || samples.Any(s => Math.Abs(s.Facts.DurationSeconds - seconds) > 0.5))
        {
            throw new InvalidOperationException($"expected {count} samples of {seconds} s, found {samples.Count}");
        }
    }

    private static async Task FfprobeAllAsync(IEnumerable<string> files, int concurrency) =>
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (file, _) =>
            await RunAsync("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", file]));

    /// <summary>Runs the tool with the service's own process runner; a non-zero exit fails the benchmark.</summary>
    private static async Task RunAsync(string executable, IEnumerable<string> arguments)
    {
        var result = await ProcessRunner.RunAsync(executable, arguments, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{executable} exited {result.ExitCode}: {result.StandardError}");
        }
    }

    private static void PrintRow(string what, double seconds, int files, double megabytes) =>
        Console.WriteLine(Invariant($"{what,-62}{seconds,10:F2}{seconds * 1000 / files,10:F0}{megabytes / seconds,10:F1}"));

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var stopwatch = Stopwatch.StartNew();
        await action();
        return stopwatch.Elapsed.TotalSeconds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
