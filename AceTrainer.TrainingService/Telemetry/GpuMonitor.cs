using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using AceTrainer.ServiceDefaults.Runs;

namespace AceTrainer.TrainingService.Telemetry;

/// <summary>Why a reading has no GPUs.</summary>
public enum GpuUnavailableReason
{
    NvidiaSmiNotInstalled,
    NvidiaSmiFailed,
    NoDevices,
}

/// <summary>The GPUs of one poll, or why there are none (<see cref="Unavailable"/> is then set).</summary>
public sealed record GpuReading(IReadOnlyList<RunGpuDevice> Gpus, GpuUnavailableReason? Unavailable, string? Detail)
{
    public bool HasGpu => Gpus.Count > 0;

    public static GpuReading Available(IReadOnlyList<RunGpuDevice> gpus) => new(gpus, null, null);

    public static GpuReading None(GpuUnavailableReason reason, string detail) => new([], reason, detail);
}

/// <summary>Polls GPU memory, utilisation and temperature with nvidia-smi; a machine without a GPU gets a "no GPU" reading, never an exception.</summary>
public sealed class GpuMonitor(string executable = GpuMonitor.DefaultExecutable, TimeSpan? timeout = null)
{
    public const string DefaultExecutable = "nvidia-smi";

    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);

    public const string QueryArguments =
        "--query-gpu=index,name,memory.used,memory.total,utilization.gpu,temperature.gpu --format=csv,noheader,nounits";

    private readonly TimeSpan timeout = timeout ?? TimeSpan.FromSeconds(10);

    public string Executable { get; } = executable;

    public async Task<GpuReading> ReadAsync(CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Executable, QueryArguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("no process was started");
        }
        catch (Win32Exception e)
        {
            return GpuReading.None(GpuUnavailableReason.NvidiaSmiNotInstalled, $"could not start '{Executable}': {e.Message}");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return GpuReading.None(GpuUnavailableReason.NvidiaSmiFailed, $"'{Executable}' did not finish within {timeout.TotalSeconds:0.#} s");
            }

            var stdout = await output;
            var stderr = await error;
            if (process.ExitCode != 0)
            {
                var message = string.IsNullOrWhiteSpace(stderr) ? stdout : stderr;
                return GpuReading.None(GpuUnavailableReason.NvidiaSmiFailed, $"'{Executable}' exited with code {process.ExitCode}: {message.Trim()}");
            }

            var gpus = Parse(stdout);
            return gpus.Count > 0
                ? GpuReading.Available(gpus)
                : GpuReading.None(GpuUnavailableReason.NoDevices, $"'{Executable}' listed no GPUs: {stdout.Trim()}");
        }
    }

    /// <summary>Parses nvidia-smi's csv,noheader,nounits output; lines that are not a GPU row (messages, blanks) are skipped.</summary>
    public static IReadOnlyList<RunGpuDevice> Parse(string csv)
    {
        var gpus = new List<RunGpuDevice>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length < 6 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue;
            }

            // A name with a comma in it spreads over several fields; the four numbers are always the last ones.
            var numbers = fields[^4..];
            var name = string.Join(", ", fields[1..^4]);
            gpus.Add(new RunGpuDevice(index, name, Number(numbers[0]), Number(numbers[1]), Number(numbers[2]), Number(numbers[3])));
        }

        return gpus;
    }

    private static double? Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
