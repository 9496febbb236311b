using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AceTrainer.ServiceDefaults.Health;

/// <summary>The JSON body of /health and /alive: the overall status and each dependency's, with its reason.</summary>
public static class HealthResponseWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var identity = context.RequestServices.GetService(typeof(ServiceIdentity)) as ServiceIdentity;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(HealthSummary.From(identity?.Name ?? "unknown", report), JsonDefaults.Options));
    }
}

/// <summary>A health report in the shape the API, the heartbeats and the portal share.</summary>
public sealed record HealthSummary(string Service, string Status, IReadOnlyList<DependencyHealth> Checks)
{
    public static HealthSummary From(string service, HealthReport report) => new(
        service,
        report.Status.ToString(),
        [.. report.Entries.Select(e => new DependencyHealth(e.Key, e.Value.Status.ToString(), e.Value.Description ?? e.Value.Exception?.Message, Math.Round(e.Value.Duration.TotalMilliseconds, 1)))]);
}

public sealed record DependencyHealth(string Name, string Status, string? Description, double DurationMs);
