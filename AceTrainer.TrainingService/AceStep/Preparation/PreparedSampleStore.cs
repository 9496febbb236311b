namespace AceTrainer.AceStep.Preparation;

/// <summary>
/// Where prepared samples live between runs, addressed by content hash (so any change of audio, text, encoder or
/// setting gives a new entry and stale ones are never reused). The trainer reads local files; a remote store
/// (blob storage) downloads into a local folder first.
/// </summary>
public interface IPreparedSampleStore
{
    /// <summary>A local path of the entry for <paramref name="contentHash"/>, or null when it is not stored.</summary>
    Task<string?> TryGetAsync(string contentHash, CancellationToken cancellationToken);

    /// <summary>Stores the prepared file at <paramref name="localPath"/> under <paramref name="contentHash"/>.</summary>
    Task PutAsync(string contentHash, string localPath, CancellationToken cancellationToken);
}

/// <summary>A folder of <c>&lt;hash&gt;.safetensors</c> files (the CLI's cache, and the local side of remote stores).</summary>
public sealed class FolderPreparedSampleStore : IPreparedSampleStore
{
    public FolderPreparedSampleStore(string folder)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
    }

    public string Folder { get; }

    public string PathOf(string contentHash) => Path.Combine(Folder, contentHash + ".safetensors");

    public Task<string?> TryGetAsync(string contentHash, CancellationToken cancellationToken)
    {
        var path = PathOf(contentHash);
        return Task.FromResult(File.Exists(path) ? path : null);
    }

    public Task PutAsync(string contentHash, string localPath, CancellationToken cancellationToken)
    {
        var path = PathOf(contentHash);
        if (!string.Equals(Path.GetFullPath(localPath), Path.GetFullPath(path), StringComparison.Ordinal)) File.Copy(localPath, path, overwrite: true);
        return Task.CompletedTask;
    }
}
