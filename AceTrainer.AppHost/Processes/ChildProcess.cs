using System.Diagnostics;
using AceTrainer.AppHost.Logging;

namespace AceTrainer.AppHost.Processes;

/// <summary>A running child: forwards its output to the log, remembers its last lines for error messages, stops it gracefully.</summary>
public sealed class ChildProcess
{
    private const int RememberedLines = 15;

    private readonly Process _process;
    private readonly ConsoleLog _log;
    private readonly Queue<string> _lastLines = new();
    private readonly Task<int> _exited;

    private ChildProcess(LaunchSpec spec, Process process, ConsoleLog log)
    {
        Spec = spec;
        _process = process;
        _log = log;
        Pid = process.Id;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        _exited = WaitForExitCodeAsync(process);
    }

    public LaunchSpec Spec { get; }

    public string Name => Spec.Name;

    public int Pid { get; }

    public bool HasExited => _exited.IsCompleted;

    /// <summary>Completes with the exit code once the process is gone and its output drained.</summary>
    public Task<int> Exited => _exited;

    public IReadOnlyList<string> LastLines
    {
        get
        {
            lock (_lastLines)
            {
                return [.. _lastLines];
            }
        }
    }

    public static async Task<ChildProcess> StartAsync(LaunchSpec spec, ProcessSpawner spawner, ConsoleLog log)
    {
        log.Register(spec.Name);
        var process = await spawner.StartAsync(spec);
        var child = new ChildProcess(spec, process, log);
        log.Info($"started {spec.Name} (pid {child.Pid}): {spec.CommandLine}");
        return child;
    }

    /// <summary>SIGTERM, then SIGKILL once <paramref name="grace"/> has passed.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (HasExited)
        {
            return;
        }

        UnixSignals.Send(Pid, UnixSignals.SigTerm);
        if (await Task.WhenAny(_exited, Task.Delay(grace)) != _exited)
        {
            _log.Error($"{Name} (pid {Pid}) did not stop within {grace.TotalSeconds:0}s of SIGTERM; killing it.");
            KillNow();
        }

        var code = await _exited;
        _log.Info($"{Name} (pid {Pid}) stopped (exit code {code}).");
    }

    public void KillNow()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public string DescribeExit() =>
        $"{Name} (pid {Pid}) exited with code {(HasExited ? _exited.Result : -1)}." +
        (LastLines.Count == 0 ? "" : $" Its last output:{Environment.NewLine}{string.Join(Environment.NewLine, LastLines.Select(l => "    " + l))}");

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > RememberedLines)
            {
                _lastLines.Dequeue();
            }
        }

        _log.Child(Name, line);
    }

    private static async Task<int> WaitForExitCodeAsync(Process process)
    {
        await process.WaitForExitAsync();
        return process.ExitCode;
    }
}
