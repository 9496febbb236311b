using System.Net;
using System.Net.Sockets;
using AceTrainer.TestSupport.AppHost;
using Xunit.Abstractions;

namespace AceTrainer.AppHost.Tests;

/// <summary>Runs the real AppHost with real redis, Azurite and services, then stops it the ways a user would.</summary>
public sealed class AppHostLifecycleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(120);
    private static readonly string[] ChildNames = ["redis", "azurite", "datasetservice", "trainingservice", "webfrontend"];
    private const int DefaultRedisPort = 6380;

    [Theory]
    [InlineData(ProcessTable.SigTerm, false)]
    [InlineData(ProcessTable.SigInt, true)]
    public async Task Starts_everything_healthy_then_a_stop_signal_stops_every_child_and_exits_zero(int signal, bool toProcessGroup)
    {
        var ports = TestPorts.Free();
        // Redis is left on its default port, which this test holds busy, to see the AppHost pick another one.
        using var defaultRedisHolder = TryHold(DefaultRedisPort);
        await using var appHost = AppHostProcess.Start(output.WriteLine, ports.Arguments(includeRedis: false), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:1",
        });

        await appHost.WaitForLineAsync(l => l.Contains($"AceTrainer portal: http://127.0.0.1:{ports.Portal}"), StartupTimeout);

        using var http = new HttpClient();
        foreach (var port in new[] { ports.Portal, ports.DatasetService, ports.TrainingService })
        {
            using var health = await http.GetAsync($"http://127.0.0.1:{port}/health");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        var busyLine = Assert.Single(appHost.Lines, l => l.Contains($"default port {DefaultRedisPort} for redis is busy; using "));
        var redisPort = int.Parse(busyLine.Split("using ")[1].Split(' ')[0]);
        using (var redis = new TcpClient())
        {
            await redis.ConnectAsync(IPAddress.Loopback, redisPort);
        }

        Assert.All(ChildNames, name => Assert.Contains(appHost.Lines, l => l.StartsWith($"[{name}]") && !l.Contains("started ")));
        Assert.DoesNotContain(appHost.Lines, l => l.Contains('\e'));
        Assert.True(Directory.Exists(Path.Combine(appHost.DataDir, "redis", "appendonlydir")), "redis AOF lives in the data dir");
        Assert.NotEmpty(Directory.GetFileSystemEntries(Path.Combine(appHost.DataDir, "azurite")));

        var pids = appHost.ChildPids;
        Assert.Equal(ChildNames.Order(), pids.Keys.Order());
        // Every process of the run is the AppHost or one of its recorded children: nothing was forked aside.
        Assert.Equal(pids.Values.Append(appHost.Pid).Order(), appHost.LiveProcesses().Order());
        AssertServiceEnvironment(pids["datasetservice"], ports, redisPort);

        if (toProcessGroup)
        {
            appHost.SignalProcessGroup(signal);
        }
        else
        {
            appHost.Signal(signal);
        }

        Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await ProcessTable.WaitUntilGoneAsync(pids.Values, TimeSpan.FromSeconds(2)), "children still running");
        Assert.Empty(appHost.LiveProcesses());
        Assert.Contains(appHost.Lines, l => l.Contains("all children stopped."));
    }

    [Fact]
    public async Task Killing_the_apphost_with_sigkill_takes_its_children_down_too()
    {
        var ports = TestPorts.Free();
        await using var appHost = AppHostProcess.Start(output.WriteLine, ports.Arguments());
        await appHost.WaitForLineAsync(l => l.Contains("AceTrainer portal: "), StartupTimeout);
        var pids = appHost.ChildPids;
        Assert.Equal(5, pids.Count);

        appHost.Signal(ProcessTable.SigKill);

        Assert.True(await ProcessTable.WaitUntilGoneAsync(pids.Values.Append(appHost.Pid), TimeSpan.FromSeconds(10)),
            $"orphans left behind: {string.Join(", ", appHost.LiveProcesses())}");
        Assert.Empty(appHost.LiveProcesses());
    }

    [Fact]
    public async Task A_stop_signal_during_startup_stops_what_was_started_and_exits_zero()
    {
        await using var appHost = AppHostProcess.Start(output.WriteLine, TestPorts.Free().Arguments());
        await appHost.WaitForLineAsync(l => l.Contains("started azurite (pid "), StartupTimeout);

        appHost.Signal(ProcessTable.SigTerm);

        Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stop requested during startup.", appHost.Output);
        Assert.DoesNotContain("AceTrainer portal:", appHost.Output);
        Assert.True(await ProcessTable.WaitUntilGoneAsync(appHost.ChildPids.Values, TimeSpan.FromSeconds(2)), "children still running");
        Assert.Empty(appHost.LiveProcesses());
    }

    [Fact]
    public async Task A_child_dying_after_startup_is_reported_and_the_rest_keep_running()
    {
        var ports = TestPorts.Free();
        await using var appHost = AppHostProcess.Start(output.WriteLine, ports.Arguments());
        await appHost.WaitForLineAsync(l => l.Contains("AceTrainer portal: "), StartupTimeout);
        var pids = appHost.ChildPids;

        ProcessTable.Signal(pids["trainingservice"], ProcessTable.SigKill);

        await appHost.WaitForLineAsync(l => l.Contains("trainingservice stopped unexpectedly; the others keep running"), TimeSpan.FromSeconds(15));
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{ports.DatasetService}/alive")).StatusCode);
        Assert.False(appHost.HasExited);

        appHost.Signal(ProcessTable.SigTerm);
        Assert.Equal(0, await appHost.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await ProcessTable.WaitUntilGoneAsync(pids.Values, TimeSpan.FromSeconds(2)), "children still running");
        Assert.Empty(appHost.LiveProcesses());
    }

    private static void AssertServiceEnvironment(int pid, TestPorts ports, int redisPort)
    {
        var env = ProcessTable.Environment(pid);
        Assert.Contains($"ConnectionStrings__redis=127.0.0.1:{redisPort}", env);
        Assert.Contains(
            "ConnectionStrings__blobs=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
            $"BlobEndpoint=http://127.0.0.1:{ports.Azurite}/devstoreaccount1;", env);
        Assert.Contains($"services__datasetservice__http__0=http://127.0.0.1:{ports.DatasetService}", env);
        Assert.Contains($"services__trainingservice__http__0=http://127.0.0.1:{ports.TrainingService}", env);
        Assert.Contains($"services__webfrontend__http__0=http://127.0.0.1:{ports.Portal}", env);
        Assert.Contains($"ASPNETCORE_URLS=http://127.0.0.1:{ports.DatasetService}", env);
        Assert.Contains("ASPNETCORE_ENVIRONMENT=Development", env);
        Assert.Contains("OTEL_SERVICE_NAME=datasetservice", env);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317", env);
        Assert.DoesNotContain(env, e => e.StartsWith("OTEL_EXPORTER_OTLP_HEADERS="));
        Assert.EndsWith("AceTrainer.DatasetService", ProcessTable.WorkingDirectory(pid));
    }

    /// <summary>Holds the port if it is free; if someone else already holds it, it is busy either way.</summary>
    private static TcpListener? TryHold(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
