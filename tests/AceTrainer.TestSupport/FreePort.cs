using System.Net;
using System.Net.Sockets;

namespace AceTrainer.TestSupport;

/// <summary>Free loopback TCP ports for servers started by tests.</summary>
public static class FreePort
{
    private const int RangeStart = 10_000;

    // Ports already handed out by this process: a port is free again the moment its probe closes, so without this
    // two servers of one test could be given the same port.
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A port that binds now, below the kernel's ephemeral range: ports from that range (what binding port 0 gives)
    /// are also the local ports of other processes' outgoing connections, which took them before our server could.
    /// </summary>
    public static int Next()
    {
        var end = EphemeralRangeStart();
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(RangeStart, end);
                if (!HandedOut.Contains(port) && Binds(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"no free loopback port between {RangeStart} and {end}");
    }

    private static bool Binds(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralRangeStart()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start)
            && start > RangeStart + 1000
            ? start
            : 32_768;
    }
}
