using AceTrainer.TestSupport;

namespace AceTrainer.TestSupport.AppHost;

/// <summary>One free port per resource, passed explicitly so tests never collide with a developer's running AppHost.</summary>
public sealed record TestPorts(int Portal, int DatasetService, int TrainingService, int Redis, int Azurite)
{
    public static TestPorts Free() => new(FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());

    public string[] Arguments(bool includeRedis = true) =>
    [
        "--portal-port", Portal.ToString(),
        "--datasetservice-port", DatasetService.ToString(),
        "--trainingservice-port", TrainingService.ToString(),
        "--azurite-port", Azurite.ToString(),
        .. includeRedis ? new[] { "--redis-port", Redis.ToString() } : [],
    ];
}
