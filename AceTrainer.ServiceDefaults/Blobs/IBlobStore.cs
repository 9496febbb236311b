namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>
/// Our seam for blob storage (Azure.Storage.Blobs cannot be restored here): a narrow client of the
/// Azure Blob REST API with SharedKey auth. Blobs are the durable truth of the system, so every
/// write is all-or-nothing and conditional writes on ETags are first-class.
/// </summary>
public interface IBlobStore
{
    /// <summary>Cheap round trip that proves the account answers and the credentials work (used by /health).</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}
