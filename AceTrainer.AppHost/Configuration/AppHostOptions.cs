namespace AceTrainer.AppHost.Configuration;

public sealed record AppHostOptions(
    string DataDir,
    string Environment,
    TimeSpan HealthTimeout,
    PortRequest PortalPort,
    PortRequest DatasetServicePort,
    PortRequest TrainingServicePort,
    PortRequest RedisPort,
    PortRequest AzuritePort)
{
    public IReadOnlyList<PortRequest> AllPorts => [RedisPort, AzuritePort, DatasetServicePort, TrainingServicePort, PortalPort];
}
