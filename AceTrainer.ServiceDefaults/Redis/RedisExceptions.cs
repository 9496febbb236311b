namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>The server answered a command with an error reply (e.g. WRONGTYPE, NOSCRIPT).</summary>
public sealed class RedisServerException(string message) : Exception(message)
{
    /// <summary>The error's first word, e.g. "WRONGTYPE", "NOSCRIPT", "ERR".</summary>
    public string Prefix => Message.Split(' ', 2)[0];
}

/// <summary>The connection failed or is down; a command in flight may or may not have been executed.</summary>
public sealed class RedisConnectionException(string message, Exception? inner = null) : Exception(message, inner);
