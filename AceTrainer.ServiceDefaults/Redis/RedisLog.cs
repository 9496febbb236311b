using Microsoft.Extensions.Logging;

namespace AceTrainer.ServiceDefaults.Redis;

internal static partial class RedisLog
{
    [LoggerMessage(1, LogLevel.Information, "Redis {Role} connected to {Endpoint} using RESP{Protocol}")]
    public static partial void Connected(ILogger logger, string role, string endpoint, int protocol);

    [LoggerMessage(2, LogLevel.Warning, "Redis {Role} connection to {Endpoint} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string role, string endpoint, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Redis {Role} could not connect to {Endpoint}: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string role, string endpoint, string reason);

    [LoggerMessage(4, LogLevel.Information, "Redis {Role} reconnecting to {Endpoint} in {DelayMs} ms (attempt {Attempt})")]
    public static partial void Reconnecting(ILogger logger, string role, string endpoint, int delayMs, int attempt);

    [LoggerMessage(5, LogLevel.Error, "Redis subscription handler for {Channel} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string channel);
}
