using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AceTrainer.ServiceDefaults.Blobs;

public static class BlobExtensions
{
    /// <summary>
    /// Registers the singleton <see cref="IBlobStore"/> for <c>ConnectionStrings:{connectionName}</c> and a health
    /// check of that name. The connection string is parsed now, so a malformed one fails at startup.
    /// </summary>
    public static IHostApplicationBuilder AddBlobs(this IHostApplicationBuilder builder, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Blob storage is not configured: 'ConnectionStrings:{connectionName}' is missing or empty.");
        }
        var connection = BlobConnectionOptions.Parse(connectionString);
        builder.Services.AddSingleton<IBlobStore>(_ => new AzureBlobStore(connection));
        builder.Services.AddHealthChecks().AddCheck<BlobStorageHealthCheck>(connectionName);
        return builder;
    }
}
