using System.Collections.Concurrent;
using System.Diagnostics;

namespace AceTrainer.AppHost.Processes;

/// <summary>
/// Starts children from one long-lived thread, wrapped in `setpriv --pdeathsig KILL -- setsid` when available.
/// PR_SET_PDEATHSIG fires when the thread that forked the child exits, not the process; .NET forks on the calling
/// thread and threadpool threads retire when idle, so forking from the pool would randomly kill children.
/// setsid puts each child in its own session so a terminal Ctrl+C reaches only the AppHost, which then stops
/// the children in order instead of racing them.
/// </summary>
public sealed class ProcessSpawner
{
    private readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Result)> _requests = new();
    private readonly Thread _thread;
    private readonly string? _setpriv;
    private readonly string? _setsid;

    public ProcessSpawner(string? setpriv, string? setsid)
    {
        // Both or neither: setsid without pdeathsig would also hide children from the terminal's Ctrl+C.
        (_setpriv, _setsid) = setpriv is not null && setsid is not null ? (setpriv, setsid) : (null, null);
        _thread = new Thread(Run) { IsBackground = true, Name = "child-process-spawner" };
        _thread.Start();
    }

    public bool OrphanProtected => _setpriv is not null;

    public Task<Process> StartAsync(LaunchSpec spec)
    {
        var info = new ProcessStartInfo
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        if (_setpriv is not null)
        {
            info.FileName = _setpriv;
            foreach (var arg in new[] { "--pdeathsig", "KILL", "--", _setsid!, spec.Program })
            {
                info.ArgumentList.Add(arg);
            }
        }
        else
        {
            info.FileName = spec.Program;
        }

        foreach (var arg in spec.Arguments)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in spec.Environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var result = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((info, result));
        return result.Task;
    }

    // Never completes: the thread must outlive every child, so it only ends with the process.
    private void Run()
    {
        foreach (var (info, result) in _requests.GetConsumingEnumerable())
        {
            try
            {
                var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
                result.SetResult(process);
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        }
    }
}
