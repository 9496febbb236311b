using AceTrainer.AppHost.Configuration;
using AceTrainer.AppHost.Discovery;
using AceTrainer.AppHost.Logging;
using AceTrainer.AppHost.Processes;
using AceTrainer.AppHost.Readiness;

namespace AceTrainer.AppHost.Orchestration;

/// <summary>
/// Starts redis and Azurite, then the services, waits for them to be healthy, and keeps them running until asked
/// to stop; always stops every child it started before returning.
/// </summary>
public sealed class AppHostRunner(ConsoleLog log, Func<string, string?> getEnv)
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan InfrastructureTimeout = TimeSpan.FromSeconds(60);

    // Started in layers; stopped layer by layer in reverse so services never outlive their backing stores.
    private readonly List<List<ChildProcess>> _layers = [];
    private readonly Lock _lock = new();

    public async Task<int> RunAsync(AppHostOptions options, BuildManifest manifest, CancellationToken shutdown)
    {
        foreach (var name in Topology.AllResourceNames)
        {
            log.Register(name);
        }

        var tools = Prerequisites.Resolve(manifest, Topology.Services.Select(s => s.AssemblyName), getEnv);
        var ports = Topology.AllocatePorts(options, new PortAllocator(log.Info));
        var spawner = new ProcessSpawner(tools.Setpriv, tools.Setsid);
        if (!spawner.OrphanProtected)
        {
            log.Error("warning: setpriv/setsid (util-linux) not found; if the AppHost is killed with SIGKILL its children will keep running.");
        }

        try
        {
            await StartAllAsync(options, tools, ports, spawner, shutdown);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            log.Info("stop requested during startup.");
            await StopAllAsync();
            return ExitCodes.Success;
        }
        catch
        {
            await StopAllAsync();
            throw;
        }

        log.Banner(Topology.ServiceUrl(ports, Topology.PortalService));
        return await RunUntilStoppedAsync(shutdown);
    }

    private async Task StartAllAsync(
        AppHostOptions options, ResolvedTools tools, PortAssignment ports, ProcessSpawner spawner, CancellationToken ct)
    {
        log.Info($"data folder: {options.DataDir}");
        var redisDir = Directory.CreateDirectory(Path.Combine(options.DataDir, "redis")).FullName;
        var azuriteDir = Directory.CreateDirectory(Path.Combine(options.DataDir, "azurite")).FullName;

        BeginLayer();
        var redis = await StartAsync(Topology.Redis(tools, redisDir, ports.Redis), spawner);
        var azurite = await StartAsync(Topology.Azurite(tools, azuriteDir, ports.Azurite), spawner);
        await ReadinessProbes.WhenAllOrFirstFailureAsync(
        [
            token => ReadinessProbes.WaitForTcpAsync(redis, ports.Redis, InfrastructureTimeout, token),
            token => ReadinessProbes.WaitForTcpAsync(azurite, ports.Azurite, InfrastructureTimeout, token),
        ], ct);
        log.Info($"redis accepts connections on 127.0.0.1:{ports.Redis}, azurite on 127.0.0.1:{ports.Azurite}.");

        BeginLayer();
        var services = new List<ChildProcess>();
        foreach (var service in Topology.Services)
        {
            services.Add(await StartAsync(Topology.Service(service, tools, ports, options.Environment, getEnv), spawner));
        }

        // Loopback probes must never go through an HTTP_PROXY from the user's shell.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        await ReadinessProbes.WhenAllOrFirstFailureAsync(services.Select(child => (Func<CancellationToken, Task>)(token =>
            ReadinessProbes.WaitForHealthAsync(
                child, http, new Uri(Topology.ServiceUrl(ports, child.Name) + "/health"), options.HealthTimeout, token))), ct);
        foreach (var service in Topology.Services)
        {
            log.Info($"{service.Name} is healthy at {Topology.ServiceUrl(ports, service.Name)}");
        }
    }

    private void BeginLayer()
    {
        lock (_lock)
        {
            _layers.Add([]);
        }
    }

    private async Task<ChildProcess> StartAsync(LaunchSpec spec, ProcessSpawner spawner)
    {
        var child = await ChildProcess.StartAsync(spec, spawner, log);
        lock (_lock)
        {
            _layers[^1].Add(child);
        }

        return child;
    }

    private async Task<int> RunUntilStoppedAsync(CancellationToken shutdown)
    {
        // As under Aspire, a child that exits after startup is reported and the rest keep running:
        // the portal's System page is where people see (and test) a dependency going away.
        foreach (var child in Snapshot())
        {
            _ = child.Exited.ContinueWith(
                _ =>
                {
                    if (!shutdown.IsCancellationRequested)
                        log.Error($"{child.DescribeExit()}{Environment.NewLine}{child.Name} stopped unexpectedly; the others keep running (Ctrl+C stops everything).");
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await Task.Delay(Timeout.Infinite, shutdown).ContinueWith(_ => { }, TaskScheduler.Default);
        log.Info("stopping all children...");
        await StopAllAsync();
        log.Info("all children stopped.");
        return ExitCodes.Success;
    }

    private async Task StopAllAsync()
    {
        List<List<ChildProcess>> layers;
        lock (_lock)
        {
            layers = [.. _layers.Select(l => l.ToList())];
        }

        for (var i = layers.Count - 1; i >= 0; i--)
        {
            await Task.WhenAll(layers[i].Select(c => c.StopAsync(StopGrace)));
        }
    }

    private List<ChildProcess> Snapshot()
    {
        lock (_lock)
        {
            return [.. _layers.SelectMany(l => l)];
        }
    }
}
