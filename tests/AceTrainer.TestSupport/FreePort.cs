using System.Net;
using System.Net.Sockets;

namespace AceTrainer.TestSupport;

/// <summary>Free loopback TCP ports for servers started by tests.</summary>
public static class FreePort
{
    /// <summary>Asks the kernel for an unused port; tiny race until the server binds, acceptable for tests.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
