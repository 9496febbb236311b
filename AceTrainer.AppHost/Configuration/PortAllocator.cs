using System.Net;
using System.Net.Sockets;

namespace AceTrainer.AppHost.Configuration;

/// <summary>Turns port requests into concrete loopback ports, refusing busy explicit ports and replacing busy defaults.</summary>
public sealed class PortAllocator(Action<string> report)
{
    private readonly HashSet<int> _assigned = [];

    public int Allocate(PortRequest request)
    {
        if (request.ExplicitPort is { } wanted)
        {
            if (_assigned.Contains(wanted) || !IsFree(wanted))
            {
                throw new AppHostException(
                    $"Port {wanted} requested for {request.Resource} ({request.OptionName} / {request.EnvName}) is already in use. " +
                    $"Stop whatever listens on it (see `ss -ltnp 'sport = :{wanted}'`), pass another {request.OptionName} <port>, " +
                    $"or leave {request.OptionName} unset to get a free port.",
                    ExitCodes.PortUnavailable);
            }

            return Take(wanted);
        }

        if (!_assigned.Contains(request.DefaultPort) && IsFree(request.DefaultPort))
        {
            return Take(request.DefaultPort);
        }

        int replacement;
        do
        {
            replacement = AnyFreePort();
        }
        while (_assigned.Contains(replacement));

        report($"default port {request.DefaultPort} for {request.Resource} is busy; using {replacement} instead " +
               $"(set {request.OptionName} to choose one).");
        return Take(replacement);
    }

    private int Take(int port)
    {
        _assigned.Add(port);
        return port;
    }

    private static bool IsFree(int port)
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

    private static int AnyFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
