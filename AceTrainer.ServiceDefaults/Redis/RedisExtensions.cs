using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AceTrainer.ServiceDefaults.Redis;

public static class RedisExtensions
{
    /// <summary>
    /// Registers <see cref="RedisConnectionOptions"/>, <see cref="IRedisClient"/> and <see cref="IRedisSubscriber"/> singletons
    /// (keyed by <paramref name="connectionName"/>, and unkeyed for the first call) from <c>ConnectionStrings:{connectionName}</c>,
    /// plus a health check named <paramref name="connectionName"/>. The host disposes the clients.
    /// </summary>
    public static IHostApplicationBuilder AddRedis(this IHostApplicationBuilder builder, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var configurationKey = $"ConnectionStrings:{connectionName}";
        var connectionString = builder.Configuration[configurationKey];
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException($"Redis connection string '{configurationKey}' is missing or empty.");
        }
        var options = RedisConnectionOptions.Parse(connectionString);
        var services = builder.Services;

        services.AddKeyedSingleton(connectionName, options);
        services.AddKeyedSingleton(connectionName, (sp, _) => new RedisClient(options, sp.GetRequiredService<ILogger<RedisClient>>()));
        services.AddKeyedSingleton(connectionName, (sp, _) => new RedisSubscriber(options, sp.GetRequiredService<ILogger<RedisSubscriber>>()));
        services.AddKeyedSingleton<IRedisClient>(connectionName, (sp, key) => sp.GetRequiredKeyedService<RedisClient>(key));
        services.AddKeyedSingleton<IRedisSubscriber>(connectionName, (sp, key) => sp.GetRequiredKeyedService<RedisSubscriber>(key));

        // Unkeyed resolutions forward to the first connection registered; the keyed instances own disposal.
        services.TryAddSingleton(options);
        services.TryAddSingleton<IRedisClient>(sp => sp.GetRequiredKeyedService<RedisClient>(connectionName));
        services.TryAddSingleton<IRedisSubscriber>(sp => sp.GetRequiredKeyedService<RedisSubscriber>(connectionName));

        services.AddHealthChecks().AddCheck<RedisHealthCheck>(connectionName);
        return builder;
    }
}
