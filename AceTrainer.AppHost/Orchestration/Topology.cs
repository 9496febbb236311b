using AceTrainer.AppHost.Configuration;
using AceTrainer.AppHost.Discovery;
using AceTrainer.AppHost.Processes;

namespace AceTrainer.AppHost.Orchestration;

/// <summary>A .NET service of the system: its resource name (as Aspire would name it) and project assembly.</summary>
public sealed record ServiceDefinition(string Name, string AssemblyName);

/// <summary>Concrete ports chosen for this run.</summary>
public sealed record PortAssignment(int Redis, int Azurite, IReadOnlyDictionary<string, int> Services);

/// <summary>What runs and how it is wired together, following Aspire's resource naming and environment conventions.</summary>
public static class Topology
{
    public const string PortalService = "webfrontend";
    public const string RedisName = "redis";
    public const string AzuriteName = "azurite";

    // Azurite's fixed development account; public by design, see Azurite's README.
    private const string AzuriteAccount = "devstoreaccount1";
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly string[] PassedThroughOtelVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS"];

    public static readonly IReadOnlyList<ServiceDefinition> Services =
    [
        new("datasetservice", "AceTrainer.DatasetService"),
        new("trainingservice", "AceTrainer.TrainingService"),
        new(PortalService, "AceTrainer.WebFrontend"),
    ];

    public static IEnumerable<string> AllResourceNames => Services.Select(s => s.Name).Prepend(AzuriteName).Prepend(RedisName);

    public static PortAssignment AllocatePorts(AppHostOptions options, PortAllocator allocator) =>
        new(allocator.Allocate(options.RedisPort),
            allocator.Allocate(options.AzuritePort),
            new Dictionary<string, int>
            {
                ["datasetservice"] = allocator.Allocate(options.DatasetServicePort),
                ["trainingservice"] = allocator.Allocate(options.TrainingServicePort),
                [PortalService] = allocator.Allocate(options.PortalPort),
            });

    public static string ServiceUrl(PortAssignment ports, string service) => $"http://127.0.0.1:{ports.Services[service]}";

    public static LaunchSpec Redis(ResolvedTools tools, string dataDir, int port) =>
        new(RedisName, tools.RedisServer,
            ["--bind", "127.0.0.1", "--port", port.ToString(), "--appendonly", "yes", "--dir", dataDir, "--protected-mode", "yes"],
            dataDir, new Dictionary<string, string?>());

    public static LaunchSpec Azurite(ResolvedTools tools, string dataDir, int port) =>
        new(AzuriteName, tools.AzuriteBlob,
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--location", dataDir,
             "--skipApiVersionCheck", "--loose", "--disableTelemetry"],
            dataDir, new Dictionary<string, string?>());

    public static LaunchSpec Service(
        ServiceDefinition service, ResolvedTools tools, PortAssignment ports, string environmentName, Func<string, string?> getEnv)
    {
        var output = tools.Services[service.AssemblyName];
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__redis"] = $"127.0.0.1:{ports.Redis}",
            ["ConnectionStrings__blobs"] =
                $"DefaultEndpointsProtocol=http;AccountName={AzuriteAccount};AccountKey={AzuriteKey};" +
                $"BlobEndpoint=http://127.0.0.1:{ports.Azurite}/{AzuriteAccount};",
            ["ASPNETCORE_URLS"] = ServiceUrl(ports, service.Name),
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
            ["OTEL_SERVICE_NAME"] = service.Name,
            // Would conflict with ASPNETCORE_URLS when inherited from the user's shell.
            ["ASPNETCORE_HTTP_PORTS"] = null,
            ["ASPNETCORE_HTTPS_PORTS"] = null,
        };

        if (service.Name == "trainingservice" && tools.LyricVocabulary is { } vocabulary && string.IsNullOrEmpty(getEnv("Training__LyricVocab")))
        {
            env["Training__LyricVocab"] = vocabulary;
        }

        foreach (var other in Services)
        {
            env[$"services__{other.Name}__http__0"] = ServiceUrl(ports, other.Name);
        }

        foreach (var name in PassedThroughOtelVariables)
        {
            env[name] = string.IsNullOrEmpty(getEnv(name)) ? null : getEnv(name);
        }

        return new LaunchSpec(service.Name, tools.DotnetHost, [output.AssemblyPath], output.ProjectDirectory, env);
    }
}
