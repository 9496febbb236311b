using System.Diagnostics;
using System.Net.Sockets;

namespace AceTrainer.TestSupport;

/// <summary>
/// A real Azurite blob service (node, from the repo's node_modules) on a free loopback port, for tests and
/// benchmarks. Stop/Start simulate an outage on the same port; dispose kills the process tree and removes the data.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's published well-known key (not a secret).</summary>
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);
    private static readonly HashSet<Process> LiveProcesses = [];

    private readonly string _executable;
    private readonly string? _dataDirectory;
    private readonly OutputTail _output = new();
    private Process? _process;

    static AzuriteServer()
    {
        // Last line of defence against orphaned node processes when a test host exits without disposing us.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (LiveProcesses)
            {
                foreach (var process in LiveProcesses)
                {
                    KillTree(process);
                }
            }
        };
    }

    private AzuriteServer(string executable, int port, string? dataDirectory)
    {
        _executable = executable;
        Port = port;
        _dataDirectory = dataDirectory;
    }

    public int Port { get; }

    /// <summary>True when data lives in node's memory (lost on Stop) rather than in a temp directory.</summary>
    public bool InMemoryPersistence => _dataDirectory is null;

    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    /// <summary>Full-form connection string with the well-known development key and this server's endpoint.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts Azurite and returns once its port accepts connections.</summary>
    /// <param name="inMemoryPersistence">Keep blobs in memory (fast; lost on Stop) instead of a temp directory.</param>
    public static async Task<AzuriteServer> StartNewAsync(bool inMemoryPersistence = false, CancellationToken cancellationToken = default)
    {
        var executable = LocateExecutable();
        string? dataDirectory = null;
        if (!inMemoryPersistence)
        {
            dataDirectory = Path.Combine(Path.GetTempPath(), "azurite-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dataDirectory);
        }
        var server = new AzuriteServer(executable, FreePort.Next(), dataDirectory);
        try
        {
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>(Re)starts the process on the same port and data location.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning)
        {
            return;
        }
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        lock (LiveProcesses)
        {
            LiveProcesses.Add(process);
        }
        await WaitUntilListeningAsync(process, cancellationToken);
    }

    /// <summary>Stops the process (SIGTERM so Azurite flushes its data, then a kill if it lingers).</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        if (!process.HasExited && !OperatingSystem.IsWindows())
        {
            using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString()]) { UseShellExecute = false });
            if (term is not null)
            {
                await term.WaitForExitAsync();
            }
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // Falls through to the kill below.
            }
        }
        KillTree(process);
        await process.WaitForExitAsync();
        lock (LiveProcesses)
        {
            LiveProcesses.Remove(process);
        }
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    /// <summary>
    /// The folder holding AceTrainer.sln, found by walking up from <paramref name="startDirectory"/>; by default from
    /// this assembly's folder, then from the current directory (for tools built outside the repo).
    /// </summary>
    public static string FindRepoRoot(string? startDirectory = null)
    {
        string[] starts = startDirectory is null ? [AppContext.BaseDirectory, Environment.CurrentDirectory] : [startDirectory];
        foreach (var start in starts)
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "AceTrainer.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        throw new DirectoryNotFoundException($"No AceTrainer.sln found in '{string.Join("' or '", starts)}' or any folder above.");
    }

    /// <summary>Path of node_modules/.bin/azurite-blob under the repo root; throws with the fix if it is not installed.</summary>
    public static string LocateExecutable(string? repoRoot = null)
    {
        repoRoot ??= FindRepoRoot();
        var name = OperatingSystem.IsWindows() ? "azurite-blob.cmd" : "azurite-blob";
        var path = Path.Combine(repoRoot, "node_modules", ".bin", name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"Azurite is not installed ({path} is missing). Run 'npm install' in {repoRoot} (it installs the azurite devDependency).",
                path);
    }

    private IEnumerable<string> Arguments()
    {
        string[] common = ["--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--silent", "--skipApiVersionCheck"];
        return _dataDirectory is null
            ? [.. common, "--inMemoryPersistence"]
            : [.. common, "--location", _dataDirectory];
    }

    private async Task WaitUntilListeningAsync(Process process, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"Azurite exited with code {process.ExitCode} before listening on port {Port}. Output:\n{_output}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (SocketException ex)
            {
                KillTree(process);
                throw new TimeoutException($"Azurite did not listen on port {Port} within {StartupTimeout.TotalSeconds} s. Output:\n{_output}", ex);
            }
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    /// <summary>Last lines of Azurite's output, for error messages.</summary>
    private sealed class OutputTail
    {
        private const int MaxLines = 50;
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_lines)
            {
                _lines.Enqueue(line);
                if (_lines.Count > MaxLines)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}
