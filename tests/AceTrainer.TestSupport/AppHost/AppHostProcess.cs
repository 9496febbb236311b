using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace AceTrainer.TestSupport.AppHost;

/// <summary>
/// The real AppHost as a child of the test, with its own temp data folder and a unique environment marker that every
/// process it starts inherits, so leftovers can be found (and are killed on dispose) however they were reparented.
/// </summary>
public sealed partial class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Action<string> _output;

    private AppHostProcess(Process process, string marker, string dataDir, Action<string> output)
    {
        _process = process;
        Marker = marker;
        DataDir = dataDir;
        _output = output;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Marker { get; }

    public string DataDir { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join('\n', _lines);

    /// <summary>name -> pid, from the AppHost's "started NAME (pid N)" lines.</summary>
    public IReadOnlyDictionary<string, int> ChildPids => Lines
        .Select(l => StartedLine().Match(l))
        .Where(m => m.Success)
        .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));

    public static AppHostProcess Start(
        Action<string> output, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? dataDir = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("acetrainer-apphost-test-").FullName;
        var marker = $"ACETRAINER_APPHOST_TEST_RUN={Guid.NewGuid():N}";
        // As its own process-group leader (setsid execs in place, same pid) so a test can signal the group like a terminal does.
        var info = new ProcessStartInfo("/usr/bin/setsid", [DotnetHost(), AppHostAssembly(), "--data-dir", dataDir, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var (markerName, markerValue) = (marker.Split('=')[0], marker.Split('=')[1]);
        info.Environment[markerName] = markerValue;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new AppHostProcess(Process.Start(info)!, marker, dataDir, output);
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                if (_lines.FirstOrDefault(match) is { } last)
                {
                    return last;
                }

                throw new InvalidOperationException($"AppHost exited ({_process.ExitCode}) before the expected line. Output:\n{Output}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Expected line not seen within {timeout}. Output:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"AppHost did not exit within {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public void Signal(int signal) => ProcessTable.Signal(_process.Id, signal);

    /// <summary>What a terminal's Ctrl+C does: the signal goes to every process in the foreground process group.</summary>
    public void SignalProcessGroup(int signal) => ProcessTable.Signal(-_process.Id, signal);

    /// <summary>
    /// Live processes of this run: everything that inherited the marker, plus redis, which overwrites its environment
    /// block with its process title ("redis-server 127.0.0.1:PORT") and so is found by its recorded port instead.
    /// </summary>
    public IReadOnlyList<int> LiveProcesses()
    {
        var redisPorts = Lines.Select(l => RedisStartedLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value);
        return [.. ProcessTable.WithEnvironmentEntry(Marker)
            .Concat(redisPorts.SelectMany(port => ProcessTable.WithCommandLineContaining($"redis-server 127.0.0.1:{port}")))
            .Distinct()
            .Order()];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pid in LiveProcesses())
        {
            ProcessTable.Signal(pid, ProcessTable.SigKill);
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A killed child may still be flushing into it; the temp folder is harmless.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        try
        {
            _output(line);
        }
        catch (InvalidOperationException)
        {
            // The test's output sink is closed (test finished); the line is still kept in _lines.
        }
    }

    private static string AppHostAssembly() =>
        typeof(AppHostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "AceTrainer.AppHostAssembly").Value!;

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [GeneratedRegex(@"started redis \(pid \d+\): \S+ --bind 127\.0\.0\.1 --port (\d+)")]
    private static partial Regex RedisStartedLine();

    [GeneratedRegex(@"started (\S+) \(pid (\d+)\)")]
    private static partial Regex StartedLine();
}
