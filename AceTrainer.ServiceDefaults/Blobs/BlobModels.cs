namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>ETag preconditions for optimistic concurrency; a failed one raises <see cref="BlobConditionFailedException"/>.</summary>
/// <param name="IfMatch">Proceed only if the blob's current ETag equals this (quoted, as returned) value.</param>
/// <param name="IfNoneMatch">Proceed only if the blob's ETag differs; <c>*</c> means "only if the blob does not exist".</param>
public sealed record BlobConditions(string? IfMatch = null, string? IfNoneMatch = null)
{
    /// <summary>Create-only: the write fails if a blob with that name already exists.</summary>
    public static BlobConditions IfNotExists { get; } = new(IfNoneMatch: "*");

    /// <summary>Compare-and-swap: the operation fails unless the blob still has this ETag.</summary>
    public static BlobConditions IfETagMatches(string etag) => new(IfMatch: etag);
}

public sealed record BlobUploadOptions
{
    /// <summary>Stored as the blob's Content-Type; the service defaults to application/octet-stream.</summary>
    public string? ContentType { get; init; }

    /// <summary>Names must be valid C# identifiers and values ASCII (Azure's rules for x-ms-meta-* headers).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public BlobConditions? Conditions { get; init; }
}

/// <summary>A byte range; a null <paramref name="Length"/> means "to the end of the blob".</summary>
public readonly record struct BlobRange(long Offset, long? Length = null)
{
    internal string ToHeaderValue()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Offset);
        if (Length is null)
        {
            return $"bytes={Offset}-";
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Length.Value);
        return $"bytes={Offset}-{Offset + Length.Value - 1}";
    }
}

public sealed record BlobDownloadOptions
{
    public BlobRange? Range { get; init; }

    /// <summary>If-None-Match that matches yields 304, surfaced as <see cref="BlobConditionFailedException"/>.</summary>
    public BlobConditions? Conditions { get; init; }
}

public sealed record BlobListOptions
{
    public string? Prefix { get; init; }

    /// <summary>With e.g. "/", names below the next delimiter are folded into virtual-folder items.</summary>
    public string? Delimiter { get; init; }

    /// <summary>Items per service page (1..5000); null lets the service choose (5000).</summary>
    public int? PageSize { get; init; }

    public bool IncludeMetadata { get; init; }
}

/// <summary>
/// Upload tuning. Blocks are buffered in memory: peak use is about BlockSize × (MaxParallelBlocks + 1).
/// The defaults (16 MiB × 2) measured best against Azurite on a small shared machine; against Azure over a
/// real network, more parallel blocks usually pay off.
/// </summary>
public sealed record BlobTransferOptions
{
    public const int MaxBlockSizeBytes = 100 * 1024 * 1024;

    /// <summary>Also the single-Put-Blob threshold: content that fits in one block is sent in one request.</summary>
    public int BlockSizeBytes { get; init; } = 16 * 1024 * 1024;

    public int MaxParallelBlocks { get; init; } = 2;

    /// <summary>
    /// A seekable stream with at most this many bytes left (and more than one block) goes as one streamed Put Blob,
    /// which Azurite takes at curl's speed; anything else (unknown length, or larger) goes in blocks.
    /// Azure accepts up to 5000 MiB in one Put Blob; a failure late in a large one means resending all of it.
    /// </summary>
    public long SinglePutMaxBytes { get; init; } = 1024L * 1024 * 1024;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BlockSizeBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BlockSizeBytes, MaxBlockSizeBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxParallelBlocks);
        ArgumentOutOfRangeException.ThrowIfNegative(SinglePutMaxBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SinglePutMaxBytes, 5000L * 1024 * 1024);
    }
}

public sealed record BlobWriteResult(string ETag, DateTimeOffset LastModified);

/// <param name="Size">The whole blob's length in bytes (also for ranged downloads).</param>
public sealed record BlobProperties(
    long Size,
    string ETag,
    DateTimeOffset LastModified,
    string? ContentType,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>A listing entry: a blob, or (when listing with a delimiter) a virtual folder whose Name ends with it.</summary>
public sealed record BlobListItem(string Name, bool IsVirtualFolder, BlobProperties? Properties);
