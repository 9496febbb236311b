using System.Net;
using System.Net.Sockets;
using AceTrainer.TestSupport.AppHost;
using Xunit.Abstractions;

namespace AceTrainer.AppHost.Tests;

/// <summary>Startup problems end in one clear message, a non-zero exit and no processes left behind.</summary>
public sealed class AppHostStartupFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan QuickExit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_busy_explicitly_requested_port_fails_naming_the_port_and_the_option()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var busy = ((IPEndPoint)holder.LocalEndpoint).Port;
        var ports = TestPorts.Free();
        await using var appHost = AppHostProcess.Start(output.WriteLine, [.. ports.Arguments(), "--portal-port", busy.ToString()]);

        Assert.Equal(4, await appHost.WaitForExitAsync(QuickExit));

        var message = Assert.Single(appHost.Lines, l => l.Contains("already in use"));
        Assert.Contains($"Port {busy} requested for webfrontend (portal) (--portal-port / ACETRAINER_PORTAL_PORT)", message);
        Assert.Contains($"pass another --portal-port <port>", message);
        Assert.Empty(appHost.ChildPids);
    }

    [Fact]
    public async Task A_busy_port_requested_through_the_environment_fails_too()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var busy = ((IPEndPoint)holder.LocalEndpoint).Port;
        await using var appHost = AppHostProcess.Start(
            output.WriteLine, TestPorts.Free().Arguments(includeRedis: false), new Dictionary<string, string> { ["ACETRAINER_REDIS_PORT"] = busy.ToString() });

        Assert.Equal(4, await appHost.WaitForExitAsync(QuickExit));
        Assert.Contains($"Port {busy} requested for redis (--redis-port / ACETRAINER_REDIS_PORT) is already in use", appHost.Output);
    }

    [Fact]
    public async Task Redis_missing_from_PATH_fails_with_one_message_naming_the_install_command()
    {
        // Node stays reachable so the only missing prerequisite is redis-server.
        var binDir = Directory.CreateTempSubdirectory("acetrainer-path-").FullName;
        try
        {
            var node = new[] { "/usr/bin/node", "/usr/local/bin/node" }.First(File.Exists);
            File.CreateSymbolicLink(Path.Combine(binDir, "node"), node);
            await using var appHost = AppHostProcess.Start(
                output.WriteLine, TestPorts.Free().Arguments(), new Dictionary<string, string> { ["PATH"] = binDir });

            Assert.Equal(3, await appHost.WaitForExitAsync(QuickExit));

            Assert.Contains("missing prerequisites:", appHost.Output);
            Assert.Contains("  - redis-server: not found on PATH", appHost.Output);
            Assert.Single(appHost.Lines, l => l.Contains("Run ./run.sh"));
            Assert.DoesNotContain("azurite-blob:", appHost.Output);
            Assert.Empty(appHost.ChildPids);
        }
        finally
        {
            Directory.Delete(binDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_child_dying_during_startup_stops_the_others_and_fails()
    {
        // A corrupt AOF manifest makes redis exit right after it starts, while Azurite is coming up.
        var dataDir = Directory.CreateTempSubdirectory("acetrainer-apphost-test-").FullName;
        var aofDir = Directory.CreateDirectory(Path.Combine(dataDir, "redis", "appendonlydir")).FullName;
        await File.WriteAllTextAsync(Path.Combine(aofDir, "appendonly.aof.manifest"), "not a manifest\n");
        await using var appHost = AppHostProcess.Start(output.WriteLine, TestPorts.Free().Arguments(), dataDir: dataDir);

        Assert.Equal(1, await appHost.WaitForExitAsync(QuickExit));

        Assert.Contains("redis exited unexpectedly during startup", appHost.Output);
        Assert.Contains("Invalid AOF manifest file format", appHost.Output);
        var pids = appHost.ChildPids;
        Assert.Contains("azurite", pids.Keys);
        Assert.DoesNotContain("datasetservice", pids.Keys);
        Assert.True(await ProcessTable.WaitUntilGoneAsync(pids.Values, TimeSpan.FromSeconds(2)));
        Assert.Empty(appHost.LiveProcesses());
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        await using var appHost = AppHostProcess.Start(output.WriteLine, ["--portal-prot", "5080"]);

        Assert.Equal(2, await appHost.WaitForExitAsync(QuickExit));
        Assert.Contains("Unknown argument '--portal-prot'", appHost.Output);
    }
}
