using AceTrainer.AceStep.Preparation;
using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.TrainingService.Preparation;

/// <summary>
/// Prepared samples in blob storage (<c>prepared/&lt;hash&gt;.safetensors</c> in the training container), shared by
/// every worker and run, with a local folder in front of it: the trainer memory-maps local files, so an entry is
/// downloaded once per machine. Uploads are all-or-nothing (the blob client's guarantee), so a half-written entry
/// is never visible; two workers preparing the same sample write the same bytes.
/// </summary>
public sealed class BlobPreparedSampleStore(IBlobStore blobs, string container, string localFolder) : IPreparedSampleStore
{
    private readonly FolderPreparedSampleStore local = new(localFolder);

    public static string BlobName(string contentHash) => $"prepared/{contentHash}.safetensors";

    public async Task<string?> TryGetAsync(string contentHash, CancellationToken cancellationToken)
    {
        if (await local.TryGetAsync(contentHash, cancellationToken) is { } cached) return cached;
        using var download = await blobs.DownloadAsync(container, BlobName(contentHash), cancellationToken: cancellationToken);
        if (download is null) return null;
        var path = local.PathOf(contentHash);
        await LocalFile.SaveAsync(download.Content, path, cancellationToken);
        return path;
    }

    public async Task PutAsync(string contentHash, string localPath, CancellationToken cancellationToken)
    {
        await blobs.CreateContainerIfNotExistsAsync(container, cancellationToken);
        await using (var file = File.OpenRead(localPath))
        {
            await blobs.UploadAsync(container, BlobName(contentHash), file, new BlobUploadOptions
            {
                ContentType = "application/octet-stream",
                Metadata = new Dictionary<string, string> { ["contenthash"] = contentHash },
            }, cancellationToken);
        }
        await local.PutAsync(contentHash, localPath, cancellationToken);
    }
}
