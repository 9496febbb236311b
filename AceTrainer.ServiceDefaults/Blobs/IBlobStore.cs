namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>
/// Our seam for blob storage (Azure.Storage.Blobs cannot be restored here): a narrow client of the
/// Azure Blob REST API with SharedKey auth. Blobs are the durable truth of the system, so every
/// write is all-or-nothing and conditional writes on ETags are first-class.
/// </summary>
/// <remarks>
/// Service errors surface as <see cref="BlobStorageException"/>; a failed ETag condition as its subclass
/// <see cref="BlobConditionFailedException"/>. Transport failures surface as <see cref="HttpRequestException"/>.
/// </remarks>
public interface IBlobStore
{
    /// <summary>Cheap round trip that proves the account answers and the credentials work (used by /health).</summary>
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the container; false when it already existed.</summary>
    Task<bool> CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default);

    /// <summary>Deletes the container and everything in it; false when it did not exist.</summary>
    Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default);

    /// <summary>
    /// Uploads the stream (read to its end) as the blob's new content. Content up to one block is sent as a
    /// single Put Blob; anything longer as parallel Put Block calls committed by one Put Block List, so a
    /// failed or cancelled upload never leaves a visible partial blob nor alters an existing one.
    /// </summary>
    Task<BlobWriteResult> UploadAsync(
        string container, string blobName, Stream content, BlobUploadOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a streaming download (optionally a byte range); null when the blob (or container) does not exist.
    /// Dispose the result to release the connection.
    /// </summary>
    Task<BlobDownload?> DownloadAsync(
        string container, string blobName, BlobDownloadOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>The blob's properties and metadata; null when the blob (or container) does not exist.</summary>
    Task<BlobProperties?> GetPropertiesAsync(
        string container, string blobName, CancellationToken cancellationToken = default);

    /// <summary>Replaces the blob's metadata (content is untouched; the ETag changes).</summary>
    Task<BlobWriteResult> SetMetadataAsync(
        string container, string blobName, IReadOnlyDictionary<string, string> metadata,
        BlobConditions? conditions = null, CancellationToken cancellationToken = default);

    /// <summary>Lists blobs (and, with a delimiter, virtual folders), following continuation markers.</summary>
    IAsyncEnumerable<BlobListItem> ListAsync(
        string container, BlobListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob with its snapshots; false when it did not exist.</summary>
    Task<bool> DeleteAsync(
        string container, string blobName, BlobConditions? conditions = null,
        CancellationToken cancellationToken = default);
}
