using System.Security.Cryptography;
using System.Text;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>A Lua script run by EVALSHA, falling back to EVAL (which also caches it server-side) on NOSCRIPT.</summary>
public sealed class RedisScript
{
    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
    }

    public string Source { get; }

    /// <summary>The script's SHA1 as Redis computes it (lowercase hex).</summary>
    public string Sha1 { get; }

    public async Task<RedisReply> EvaluateAsync(IRedisClient client, IReadOnlyList<string> keys, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken = default)
    {
        try
        {
            return await client.ExecuteAsync("EVALSHA", Arguments(Sha1, keys, args), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Prefix == "NOSCRIPT")
        {
            return await client.ExecuteAsync("EVAL", Arguments(Source, keys, args), cancellationToken).ConfigureAwait(false);
        }
    }

    private static RedisArg[] Arguments(string scriptOrSha, IReadOnlyList<string> keys, IReadOnlyList<RedisArg> args)
    {
        var all = new RedisArg[2 + keys.Count + args.Count];
        all[0] = scriptOrSha;
        all[1] = keys.Count;
        for (var i = 0; i < keys.Count; i++) all[2 + i] = keys[i];
        for (var i = 0; i < args.Count; i++) all[2 + keys.Count + i] = args[i];
        return all;
    }
}
