using System.Globalization;
using System.Text;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>Which RESP version the client asks for; RESP3 falls back to RESP2 when HELLO is unsupported.</summary>
public enum RedisProtocol { Resp2 = 2, Resp3 = 3 }

/// <summary>
/// Connection settings, parsed from a StackExchange-style connection string as .NET Aspire injects it:
/// <c>host:port[,password=..][,user=..][,ssl=..][,defaultDatabase=N][,connectTimeout=ms][,syncTimeout=ms][,abortConnect=..]</c>.
/// </summary>
public sealed record RedisConnectionOptions
{
    public string Host { get; init; } = "localhost";
    public int Port { get; init; } = 6379;
    public string? User { get; init; }
    public string? Password { get; init; }
    public bool Ssl { get; init; }
    public int DefaultDatabase { get; init; }
    public string? ClientName { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-command timeout, including time spent waiting for a reconnection.</summary>
    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parsed for compatibility only: this client always starts lazily and never aborts (abortConnect=false behaviour).</summary>
    public bool AbortConnect { get; init; }

    public RedisProtocol Protocol { get; init; } = RedisProtocol.Resp3;
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    public static RedisConnectionOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var options = new RedisConnectionOptions();
        var endpointSeen = false;
        foreach (var rawPart in connectionString.Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }
            var equals = part.IndexOf('=');
            if (equals < 0)
            {
                // Extra endpoints (cluster/sentinel lists) are ignored: this client talks to one server.
                if (!endpointSeen)
                {
                    options = ParseEndpoint(options, part);
                    endpointSeen = true;
                }
                continue;
            }
            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            options = key.ToLowerInvariant() switch
            {
                "password" => options with { Password = value },
                "user" => options with { User = value },
                "name" => options with { ClientName = value },
                "ssl" => options with { Ssl = ParseBool(key, value) },
                "abortconnect" => options with { AbortConnect = ParseBool(key, value) },
                "defaultdatabase" => options with { DefaultDatabase = ParseInt(key, value, 0, 10_000) },
                "connecttimeout" => options with { ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, int.MaxValue)) },
                "synctimeout" or "asynctimeout" => options with { SyncTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value, 1, int.MaxValue)) },
                "protocol" => options with { Protocol = ParseProtocol(value) },
                _ => options,
            };
        }
        if (!endpointSeen)
        {
            throw new ArgumentException($"Redis connection string has no host:port endpoint: '{Redact(connectionString)}'.", nameof(connectionString));
        }
        return options;
    }

    /// <summary>The options as a connection string, password redacted (safe to log).</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Host}:{Port}");
        if (User is not null) text.Append(CultureInfo.InvariantCulture, $",user={User}");
        if (Password is not null) text.Append(",password=*****");
        text.Append(CultureInfo.InvariantCulture, $",ssl={Ssl},defaultDatabase={DefaultDatabase},protocol=resp{(int)Protocol}");
        return text.ToString();
    }

    private static RedisConnectionOptions ParseEndpoint(RedisConnectionOptions options, string endpoint)
    {
        string host;
        string? port = null;
        if (endpoint.StartsWith('['))
        {
            var close = endpoint.IndexOf(']');
            if (close < 0) throw new ArgumentException($"Redis endpoint '{endpoint}' has an unterminated IPv6 address.");
            host = endpoint[1..close];
            if (close + 1 < endpoint.Length)
            {
                if (endpoint[close + 1] != ':') throw new ArgumentException($"Redis endpoint '{endpoint}' is not [ipv6]:port.");
                port = endpoint[(close + 2)..];
            }
        }
        else
        {
            var colon = endpoint.LastIndexOf(':');
            host = colon < 0 ? endpoint : endpoint[..colon];
            port = colon < 0 ? null : endpoint[(colon + 1)..];
        }
        if (host.Length == 0) throw new ArgumentException($"Redis endpoint '{endpoint}' has an empty host.");
        return options with { Host = host, Port = port is null ? 6379 : ParseInt("port", port, 1, 65535) };
    }

    private static bool ParseBool(string key, string value) => bool.TryParse(value, out var result)
        ? result
        : throw new ArgumentException($"Redis connection string option '{key}' must be true or false, got '{value}'.");

    private static int ParseInt(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max
            ? result
            : throw new ArgumentException($"Redis connection string option '{key}' must be an integer in [{min}, {max}], got '{value}'.");

    private static RedisProtocol ParseProtocol(string value) => value.ToLowerInvariant() switch
    {
        "resp2" or "2" => RedisProtocol.Resp2,
        "resp3" or "3" => RedisProtocol.Resp3,
        _ => throw new ArgumentException($"Redis connection string option 'protocol' must be resp2 or resp3, got '{value}'."),
    };

    private static string Redact(string connectionString) =>
        string.Join(',', connectionString.Split(',').Select(p => p.Trim().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=*****" : p));
}
