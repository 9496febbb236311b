using AceTrainer.WebFrontend.Hubs;
using Microsoft.AspNetCore.SignalR.Client;

namespace AceTrainer.WebFrontend.Tests.Support;

/// <summary>A real SignalR client of /hubs/runs (the .NET client, as a browser would use the JS one) that records every runEvent.</summary>
public sealed class RunWatcher : IAsyncDisposable
{
    // Guards _received: the SignalR client calls the handler on its own thread while a test reads.
    private readonly Lock _sync = new();
    private readonly List<RelayedEvent> _received = [];

    private RunWatcher(HubConnection connection)
    {
        Connection = connection;
        Connection.On<string, string, string>(RunsHub.EventMethod, (runId, id, json) =>
        {
            lock (_sync) _received.Add(new RelayedEvent(runId, id, json));
        });
    }

    public HubConnection Connection { get; }

    public static async Task<RunWatcher> ConnectAsync(string portalUrl)
    {
        var watcher = new RunWatcher(new HubConnectionBuilder().WithUrl(portalUrl + RunsHub.Path).Build());
        await watcher.Connection.StartAsync();
        return watcher;
    }

    public Task WatchAsync(string runId) => Connection.InvokeAsync("Watch", runId);

    public Task UnwatchAsync(string runId) => Connection.InvokeAsync("Unwatch", runId);

    public IReadOnlyList<RelayedEvent> Received
    {
        get
        {
            lock (_sync) return [.. _received];
        }
    }

    public IReadOnlyList<RelayedEvent> Of(string runId) => [.. Received.Where(e => e.RunId == runId)];

    /// <summary>Waits until the event with this stream id of this run has arrived; fails the test if it never does.</summary>
    public async Task WaitForAsync(string runId, string id, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        using var cancellation = new CancellationTokenSource(limit);
        while (!Received.Any(e => e.RunId == runId && e.Id == id))
        {
            try
            {
                await Task.Delay(10, cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"event {id} of run {runId} did not arrive within {limit.TotalSeconds:0} s; got {Received.Count} events");
            }
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

public sealed record RelayedEvent(string RunId, string Id, string Json);
