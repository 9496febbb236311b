using AceTrainer.WebFrontend.SystemStatus;
using Microsoft.AspNetCore.SignalR;

namespace AceTrainer.WebFrontend.Hubs;

/// <summary>Pushes the system status to the System page; a new connection gets the current status at once.</summary>
public sealed class SystemHub(SystemStatusMonitor monitor) : Hub
{
    public const string Path = "/hubs/system";
    public const string StatusMethod = "status";

    public override async Task OnConnectedAsync()
    {
        await Clients.Caller.SendAsync(StatusMethod, monitor.Current);
        await base.OnConnectedAsync();
    }
}
