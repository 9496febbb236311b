using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.TestSupport;

namespace AceTrainer.Benchmarks;

/// <summary>
/// Upload and download throughput of <see cref="AzureBlobStore"/> against curl, both talking to the same
/// in-memory Azurite, in one run. Options: --size-mb N (256), --reps N (5), --block-mb N, --parallel N (default: BlobTransferOptions defaults).
/// </summary>
public static class BlobBenchmark
{
    private const string Container = "bench";
    private const double Target = 0.8;

    public static async Task<int> RunAsync(string[] args)
    {
        var sizeMb = BenchmarkArgs.Int(args, "--size-mb", 256);
        var reps = BenchmarkArgs.Int(args, "--reps", 5);
        var defaults = new BlobTransferOptions();
        var transfer = new BlobTransferOptions
        {
            BlockSizeBytes = BenchmarkArgs.Int(args, "--block-mb", defaults.BlockSizeBytes >> 20) << 20,
            MaxParallelBlocks = BenchmarkArgs.Int(args, "--parallel", defaults.MaxParallelBlocks),
        };
        var file = Path.Combine(Path.GetTempPath(), $"blob-bench-{Guid.NewGuid():N}.bin");
        try
        {
            Console.WriteLine($"Generating {sizeMb} MB of random bytes in {file} ...");
            await WriteRandomFileAsync(file, sizeMb);
            // In-memory persistence: Azurite keeps blobs in node's heap, so the server-side disk is not what we measure.
            await using var azurite = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
            var connection = BlobConnectionOptions.Parse(azurite.ConnectionString);
            using var store = new AzureBlobStore(connection, transfer);
            var curl = new CurlReference(connection, Container, new SharedKeySigner(connection.AccountName, connection.AccountKey));
            await store.CreateContainerIfNotExistsAsync(Container);
            await store.UploadAsync(Container, "download-source.bin", File.OpenRead(file));
            var bytes = new FileInfo(file).Length;

            Func<Task> oursUpload = async () =>
            {
                await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
                await store.UploadAsync(Container, "ours.bin", source);
            };
            // The DatasetService's multipart uploads have no known length, so they take the block path: shown for information.
            Func<Task> oursBlockUpload = async () =>
            {
                await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
                await store.UploadAsync(Container, "ours-blocks.bin", new UnknownLengthStream(source));
            };
            Func<Task> oursDownload = async () =>
            {
                await using var download = await store.DownloadAsync(Container, "download-source.bin")
                    ?? throw new InvalidOperationException("benchmark blob vanished");
                await download.Content.CopyToAsync(Stream.Null, 1 << 20);
            };
            // Uploads first, then downloads, so node's garbage from uploads does not land on a download.
            var (oursUp, curlUp) = await MeasurePairAsync(reps, oursUpload, () => curl.PutBlobAsync(file, "curl.bin"));
            var (oursBlocks, curlUpAgain) = await MeasurePairAsync(reps, oursBlockUpload, () => curl.PutBlobAsync(file, "curl.bin"));
            var (oursDown, curlDown) = await MeasurePairAsync(reps, oursDownload, () => curl.GetBlobAsync("download-source.bin", bytes));
            await VerifyUploadsAsync(store, bytes);

            Console.WriteLine();
            Console.WriteLine($"Blob throughput, {sizeMb} MB file, median of {reps} runs after a warm-up, Azurite 3.37 (in-memory) on loopback:");
            Console.WriteLine("  upload   ours: file stream (seekable, known length) -> one streamed Put Blob");
            Console.WriteLine($"  blocks   ours: same file behind a stream of unknown length -> {transfer.BlockSizeBytes >> 20} MiB Put Block x{transfer.MaxParallelBlocks} parallel (each with Content-MD5) + Put Block List (information only)");
            Console.WriteLine("           curl: one Put Blob, curl -T <file> with a SharedKey header signed by our signer");
            Console.WriteLine("  download ours: one Get Blob streamed to Stream.Null; curl: one Get Blob to -o /dev/null");
            Console.WriteLine();
            Console.WriteLine($"{"operation",-10}{"ours MB/s",12}{"curl MB/s",12}{"ours/curl",12}");
            var upRatio = PrintRow("upload", sizeMb, oursUp, curlUp);
            PrintRow("blocks", sizeMb, oursBlocks, curlUpAgain);
            var downRatio = PrintRow("download", sizeMb, oursDown, curlDown);
            var met = upRatio >= Target && downRatio >= Target;
            Console.WriteLine(met ? $"target ours/curl >= {Target} met" : $"BELOW target ours/curl >= {Target}");
            return met ? 0 : 1;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static double PrintRow(string operation, int sizeMb, List<TimeSpan> ours, List<TimeSpan> curl)
    {
        var oursMbps = sizeMb / Median(ours).TotalSeconds;
        var curlMbps = sizeMb / Median(curl).TotalSeconds;
        var ratio = oursMbps / curlMbps;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{operation,-10}{oursMbps,12:F1}{curlMbps,12:F1}{ratio,12:F2}"));
        return ratio;
    }

    private static async Task VerifyUploadsAsync(AzureBlobStore store, long bytes)
    {
        foreach (var name in new[] { "ours.bin", "ours-blocks.bin", "curl.bin" })
        {
            var properties = await store.GetPropertiesAsync(Container, name);
            if (properties?.Size != bytes)
            {
                throw new InvalidOperationException($"{name} has {properties?.Size} bytes, expected {bytes}");
            }
        }
    }

    /// <summary>
    /// Rep 0 is an untimed warm-up of both sides (JIT tiers, connection pool, page cache, node's heap); then the
    /// two sides alternate which goes first, so whatever one leaves behind in Azurite (garbage, memory) is shared.
    /// </summary>
    private static async Task<(List<TimeSpan> Ours, List<TimeSpan> Curl)> MeasurePairAsync(int reps, Func<Task> ours, Func<Task> curl)
    {
        var oursTimes = new List<TimeSpan>();
        var curlTimes = new List<TimeSpan>();
        for (var rep = 0; rep <= reps; rep++)
        {
            var first = rep % 2 == 0 ? (ours, oursTimes) : (curl, curlTimes);
            var second = rep % 2 == 0 ? (curl, curlTimes) : (ours, oursTimes);
            foreach (var (action, times) in new[] { first, second })
            {
                var elapsed = await TimeAsync(action);
                if (rep > 0)
                {
                    times.Add(elapsed);
                }
            }
        }
        return (oursTimes, curlTimes);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var stopwatch = Stopwatch.StartNew();
        await action();
        return stopwatch.Elapsed;
    }

    private static TimeSpan Median(List<TimeSpan> samples) => samples.Order().ElementAt(samples.Count / 2);

    private static async Task WriteRandomFileAsync(string path, int sizeMb)
    {
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        var chunk = new byte[1 << 20];
        for (var i = 0; i < sizeMb; i++)
        {
            RandomNumberGenerator.Fill(chunk);
            await output.WriteAsync(chunk);
        }
    }

    private sealed class UnknownLengthStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

}

/// <summary>The reference side of <see cref="BlobBenchmark"/>: curl, with SharedKey headers computed for its exact request.</summary>
internal sealed class CurlReference(BlobConnectionOptions connection, string container, SharedKeySigner signer)
{
    public async Task PutBlobAsync(string file, string blobName)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, BlobUri(blobName));
        // Only the length matters for signing; curl -T sends exactly the file's bytes with this Content-Length.
        request.Content = new StreamContent(Stream.Null);
        request.Content.Headers.ContentLength = new FileInfo(file).Length;
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        var status = await RunCurlAsync(request, ["-T", file]);
        Expect("201", status, "Put Blob");
    }

    public async Task GetBlobAsync(string blobName, long expectedBytes)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BlobUri(blobName));
        var output = await RunCurlAsync(request, ["-o", "/dev/null"], "%{http_code} %{size_download}");
        Expect($"200 {expectedBytes}", output, "Get Blob");
    }

    private string BlobUri(string blobName) => $"{connection.BlobEndpoint}{container}/{blobName}";

    private async Task<string> RunCurlAsync(HttpRequestMessage request, string[] transferArgs, string writeOut = "%{http_code}")
    {
        request.Headers.TryAddWithoutValidation("x-ms-version", BlobHttp.ApiVersion);
        signer.Sign(request);
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-sS", "-X", request.Method.Method, "-w", writeOut, "-H", "Expect:" })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, values) in request.Headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"{name}: {string.Join(",", values)}");
        }
        foreach (var arg in transferArgs)
        {
            start.ArgumentList.Add(arg);
        }
        start.ArgumentList.Add(request.RequestUri!.AbsoluteUri);
        using var curl = Process.Start(start) ?? throw new InvalidOperationException("could not start curl");
        var stdout = curl.StandardOutput.ReadToEndAsync();
        var stderr = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        if (curl.ExitCode != 0)
        {
            throw new InvalidOperationException($"curl exited {curl.ExitCode}: {await stderr}");
        }
        return (await stdout).Trim();
    }

    private static void Expect(string expected, string actual, string operation)
    {
        if (!actual.EndsWith(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"curl {operation} answered '{actual}', expected '{expected}'"));
        }
    }
}
