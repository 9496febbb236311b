using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace AceTrainer.ServiceDefaults;

/// <summary>Who this process is: the service name (as the AppHost or Aspire names it) and this instance.</summary>
public sealed record ServiceIdentity(string Name, string InstanceId, DateTimeOffset StartedAt)
{
    public static ServiceIdentity From(IHostApplicationBuilder builder)
    {
        // OTEL_SERVICE_NAME is what the AppHost and Aspire inject; fall back to the assembly name.
        var name = builder.Configuration["OTEL_SERVICE_NAME"]
            ?? builder.Environment.ApplicationName.Replace("AceTrainer.", "", StringComparison.Ordinal).ToLowerInvariant();
        return new ServiceIdentity(name, $"{Environment.MachineName}:{Environment.ProcessId}", DateTimeOffset.UtcNow);
    }
}
