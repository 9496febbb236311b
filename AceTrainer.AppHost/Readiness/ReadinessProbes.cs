using System.Net;
using System.Net.Sockets;
using AceTrainer.AppHost.Configuration;
using AceTrainer.AppHost.Processes;

namespace AceTrainer.AppHost.Readiness;

/// <summary>Waits for a child to become usable, failing fast (with its last output) when it dies first.</summary>
public static class ReadinessProbes
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task WaitForTcpAsync(ChildProcess child, int port, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        string lastError = "no attempt yet";
        while (true)
        {
            ThrowIfDied(child);
            try
            {
                using var client = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, port, attempt.Token);
                return;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                lastError = e.Message;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AppHostException(
                    $"{child.Name} did not accept connections on 127.0.0.1:{port} within {timeout.TotalSeconds:0}s (last error: {lastError}).");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    public static async Task WaitForHealthAsync(ChildProcess child, HttpClient http, Uri healthUrl, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        string lastResult = "no response yet";
        while (true)
        {
            ThrowIfDied(child);
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                using var response = await http.GetAsync(healthUrl, attempt.Token);
                var body = await response.Content.ReadAsStringAsync(attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                lastResult = $"HTTP {(int)response.StatusCode} {response.StatusCode}, body: {Truncate(body)}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                lastResult = $"no HTTP response ({e.Message})";
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new AppHostException(
                    $"{child.Name} did not report healthy at {healthUrl} within {timeout.TotalSeconds:0}s. Last health result: {lastResult}");
            }

            await Task.Delay(PollInterval, ct);
        }
    }

    /// <summary>
    /// Runs probes side by side but, unlike Task.WhenAll, fails as soon as one fails (cancelling the rest), so a
    /// crashed child is reported at once instead of after the slowest sibling's timeout.
    /// </summary>
    public static async Task WhenAllOrFirstFailureAsync(IEnumerable<Func<CancellationToken, Task>> probes, CancellationToken ct)
    {
        using var firstFailure = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pending = probes.Select(probe => probe(firstFailure.Token)).ToList();
        while (pending.Count > 0)
        {
            var finished = await Task.WhenAny(pending);
            pending.Remove(finished);
            if (!finished.IsCompletedSuccessfully)
            {
                await firstFailure.CancelAsync();
                await finished;
            }
        }
    }

    private static void ThrowIfDied(ChildProcess child)
    {
        if (child.HasExited)
        {
            throw new AppHostException($"{child.Name} exited unexpectedly during startup. {child.DescribeExit()}");
        }
    }

    private static string Truncate(string body)
    {
        var trimmed = body.Trim();
        return trimmed.Length <= 500 ? trimmed : trimmed[..500] + "...";
    }
}
