namespace AceTrainer.AppHost.Configuration;

/// <summary>Reads options from the command line first, then ACETRAINER_* environment variables, then defaults.</summary>
public static class OptionsParser
{
    public const string HelpText = """
        Usage: dotnet run --project AceTrainer.AppHost [-- options]

        Starts redis-server, Azurite (blob) and the AceTrainer services, then prints the portal URL.

        Options (environment variable in brackets):
          --data-dir <path>             where redis and azurite keep data [ACETRAINER_DATA_DIR] (default <repo>/.data)
          --portal-port <port>          web frontend (portal) [ACETRAINER_PORTAL_PORT] (default 5080)
          --datasetservice-port <port>  [ACETRAINER_DATASETSERVICE_PORT] (default 5081)
          --trainingservice-port <port> [ACETRAINER_TRAININGSERVICE_PORT] (default 5082)
          --redis-port <port>           [ACETRAINER_REDIS_PORT] (default 6380)
          --azurite-port <port>         [ACETRAINER_AZURITE_PORT] (default 10000)
          --environment <name>          ASPNETCORE_ENVIRONMENT for the services [ASPNETCORE_ENVIRONMENT] (default Development)
          --health-timeout <seconds>    how long to wait for each service's /health [ACETRAINER_HEALTH_TIMEOUT] (default 90)
          -h, --help                    show this help

        A default port that is busy is replaced by a free one; an explicitly requested port that is busy is an error.
        Ctrl+C or SIGTERM stops everything.
        """;

    private static readonly string[] KnownOptions =
    [
        "--data-dir", "--portal-port", "--datasetservice-port", "--trainingservice-port",
        "--redis-port", "--azurite-port", "--environment", "--health-timeout",
    ];

    /// <returns>null when help was requested.</returns>
    public static AppHostOptions? Parse(string[] args, Func<string, string?> getEnv, string repoRoot)
    {
        var values = ReadArguments(args);
        if (values is null)
        {
            return null;
        }

        string? Get(string option, string env) =>
            values.TryGetValue(option, out var v) ? v : NullIfEmpty(getEnv(env));

        var dataDir = Get("--data-dir", "ACETRAINER_DATA_DIR") ?? Path.Combine(repoRoot, ".data");
        var environment = Get("--environment", "ASPNETCORE_ENVIRONMENT") ?? "Development";
        var healthSeconds = ParseInt(Get("--health-timeout", "ACETRAINER_HEALTH_TIMEOUT"), "--health-timeout", 1, 3600) ?? 90;

        PortRequest Port(string resource, string option, string env, int defaultPort) =>
            new(resource, option, env, defaultPort, ParseInt(Get(option, env), $"{option} / {env}", 1, 65535));

        return new AppHostOptions(
            Path.GetFullPath(dataDir),
            environment,
            TimeSpan.FromSeconds(healthSeconds),
            PortalPort: Port("webfrontend (portal)", "--portal-port", "ACETRAINER_PORTAL_PORT", 5080),
            DatasetServicePort: Port("datasetservice", "--datasetservice-port", "ACETRAINER_DATASETSERVICE_PORT", 5081),
            TrainingServicePort: Port("trainingservice", "--trainingservice-port", "ACETRAINER_TRAININGSERVICE_PORT", 5082),
            RedisPort: Port("redis", "--redis-port", "ACETRAINER_REDIS_PORT", 6380),
            AzuritePort: Port("azurite", "--azurite-port", "ACETRAINER_AZURITE_PORT", 10000));
    }

    private static Dictionary<string, string>? ReadArguments(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return null;
            }

            var (name, inlineValue) = arg.IndexOf('=') is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (!KnownOptions.Contains(name))
            {
                throw new AppHostException($"Unknown argument '{arg}'. Run with --help to see the options.", ExitCodes.Usage);
            }

            var value = inlineValue ?? (i + 1 < args.Length ? args[++i] : null)
                ?? throw new AppHostException($"Option {name} needs a value.", ExitCodes.Usage);
            values[name] = value;
        }

        return values;
    }

    private static int? ParseInt(string? text, string what, int min, int max)
    {
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, out var value) || value < min || value > max)
        {
            throw new AppHostException($"{what}: '{text}' is not a number between {min} and {max}.", ExitCodes.Usage);
        }

        return value;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
