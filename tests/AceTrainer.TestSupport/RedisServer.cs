using System.Diagnostics;
using System.Net.Sockets;

namespace AceTrainer.TestSupport;

/// <summary>
/// A real redis-server on a free loopback port, for tests and benchmarks: no persistence by default,
/// its own temp --dir, killed on dispose. <see cref="StopAsync"/>/<see cref="StartAsync"/> restart it on the same port.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _executable;
    private readonly IReadOnlyList<string> _extraArguments;
    private readonly string _directory;
    private Process? _process;

    private RedisServer(string executable, string? password, IReadOnlyList<string> extraArguments)
    {
        _executable = executable;
        Password = password;
        _extraArguments = extraArguments;
        Port = FreePort.Next();
        _directory = Directory.CreateTempSubdirectory("redis-test-").FullName;
    }

    public int Port { get; }
    public string? Password { get; }

    /// <summary>StackExchange/Aspire-style connection string for this server.</summary>
    public string ConnectionString => Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={Password}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server and waits until it answers PING.</summary>
    /// <param name="password">Sets requirepass when given.</param>
    /// <param name="extraArguments">More redis-server arguments, e.g. ["--rename-command", "HELLO", "\"\""].</param>
    public static async Task<RedisServer> StartNewAsync(string? password = null, IReadOnlyList<string>? extraArguments = null, string executable = "redis-server")
    {
        var server = new RedisServer(ResolveExecutable(executable), password, extraArguments ?? []);
        try
        {
            await server.StartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>(Re)starts the process on the same port and waits until it answers.</summary>
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
        foreach (var argument in BuildArguments())
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync(cancellationToken).ConfigureAwait(false))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                string log;
                lock (output) log = output.ToString();
                await StopAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"redis-server did not start on port {Port}:\n{log}");
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the process (no graceful shutdown: clients see the connection drop) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    private IEnumerable<string> BuildArguments()
    {
        string[] defaults = ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no"];
        var password = Password is null ? [] : new[] { "--requirepass", Password };
        return defaults.Concat(password).Concat(_extraArguments);
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            // Inline PING works with or without requirepass: a NOAUTH error still proves the server is up.
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return read > 0 && buffer[0] is (byte)'+' or (byte)'-';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string ResolveExecutable(string executable)
    {
        if (Path.IsPathRooted(executable))
        {
            return File.Exists(executable) ? executable : throw NotInstalled(executable);
        }
        var paths = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return paths.Select(p => Path.Combine(p, executable)).FirstOrDefault(File.Exists) ?? throw NotInstalled(executable);
    }

    private static InvalidOperationException NotInstalled(string executable) => new(
        $"'{executable}' was not found on PATH. These tests need a real Redis server: install it (e.g. `apt-get install redis-server`) and retry.");
}
