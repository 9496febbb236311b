using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace AceTrainer.ServiceDefaults.Blobs;

public sealed partial class AzureBlobStore
{
    private const int MaxBlocksPerBlob = 50_000;

    public async Task<BlobWriteResult> UploadAsync(
        string container, string blobName, Stream content, BlobUploadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = BlobPath(container, blobName);
        options ??= new BlobUploadOptions();
        var blockSize = _transfer.BlockSizeBytes;
        if (content.CanSeek && content.Length - content.Position is var remaining
            && remaining > blockSize && remaining <= _transfer.SinglePutMaxBytes)
        {
            return await PutBlobStreamedAsync(path, content, remaining, options, cancellationToken);
        }

        // The first block is read in full before any request: a stream that ends inside it is one Put Blob, and a
        // stream that fails inside it fails before anything is sent.
        var first = ArrayPool<byte>.Shared.Rent(blockSize);
        var firstOwned = true;
        try
        {
            var count = await content.ReadAtLeastAsync(first.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, cancellationToken);
            if (count < blockSize)
            {
                return await PutBlobAsync(path, first, count, options, cancellationToken);
            }
            firstOwned = false;
            return await UploadInBlocksAsync(path, first, content, options, cancellationToken);
        }
        finally
        {
            if (firstOwned)
            {
                ArrayPool<byte>.Shared.Return(first);
            }
        }
    }

    private async Task<BlobWriteResult> PutBlobAsync(
        string path, byte[] buffer, int count, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Put, path);
        request.Content = BodyWithMd5(buffer, count);
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        AddBlobHeaders(request, options);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, "Put Blob", path, cancellationToken);
        return BlobHttp.ReadWriteResult(response);
    }

    /// <summary>
    /// One Put Blob straight from the stream, like curl -T: no block buffering and no block list to commit. Still
    /// atomic, because the service stores a Put Blob only once the whole declared length has arrived.
    /// </summary>
    private async Task<BlobWriteResult> PutBlobStreamedAsync(
        string path, Stream content, long length, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Put, path);
        request.Content = new BorrowedStreamContent(content, length);
        request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        AddBlobHeaders(request, options);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, "Put Blob", path, cancellationToken);
        return BlobHttp.ReadWriteResult(response);
    }

    /// <summary>
    /// Reads the stream block by block (sequentially) while up to MaxParallelBlocks Put Block calls run; only when
    /// every block is stored does one Put Block List make them the blob's content. Uncommitted blocks are invisible
    /// and garbage-collected by the service, so any failure before the commit leaves the blob as it was.
    /// </summary>
    /// <param name="firstBlock">A full block already read; ownership (returning it to the pool) passes to this method.</param>
    private async Task<BlobWriteResult> UploadInBlocksAsync(
        string path, byte[] firstBlock, Stream content, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        var blockSize = _transfer.BlockSizeBytes;
        var uploadId = Guid.NewGuid(); // distinct block ids per upload, so concurrent uploads of one name never mix
        var blockIds = new List<string>();
        var inFlight = new List<Task>();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(_transfer.MaxParallelBlocks);
        byte[]? buffer = firstBlock;
        var count = blockSize;
        try
        {
            while (count > 0)
            {
                if (blockIds.Count == MaxBlocksPerBlob)
                {
                    throw new InvalidOperationException(
                        $"Upload of '{path}' exceeds {MaxBlocksPerBlob} blocks of {blockSize} bytes; raise BlockSizeBytes.");
                }
                var blockId = NewBlockId(uploadId, blockIds.Count);
                blockIds.Add(blockId);
                await slots.WaitAsync(abort.Token);
                inFlight.Add(PutBlockAsync(path, blockId, buffer, count, slots, abort));
                buffer = null;

                buffer = ArrayPool<byte>.Shared.Rent(blockSize);
                count = await content.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, abort.Token);
            }
            await Task.WhenAll(inFlight);
        }
        catch (Exception failure)
        {
            await abort.CancelAsync();
            var rootCause = await DrainAsync(inFlight);
            // Our own abort makes siblings and the reader throw OperationCanceledException; report what caused it.
            if (failure is OperationCanceledException && rootCause is not null && !cancellationToken.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(rootCause);
            }
            throw;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return await PutBlockListAsync(path, blockIds, options, cancellationToken);
    }

    private async Task PutBlockAsync(
        string path, string blockId, byte[] buffer, int count, SemaphoreSlim slots, CancellationTokenSource abort)
    {
        try
        {
            using var request = NewRequest(HttpMethod.Put, path, $"comp=block&blockid={Uri.EscapeDataString(blockId)}");
            request.Content = BodyWithMd5(buffer, count);
            using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, abort.Token);
            await EnsureSuccessAsync(response, "Put Block", path, abort.Token);
        }
        catch
        {
            await abort.CancelAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            slots.Release();
        }
    }

    private async Task<BlobWriteResult> PutBlockListAsync(
        string path, List<string> blockIds, BlobUploadOptions options, CancellationToken cancellationToken)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds)
        {
            xml.Append("<Latest>").Append(SecurityElement.Escape(id)).Append("</Latest>");
        }
        xml.Append("</BlockList>");

        using var request = NewRequest(HttpMethod.Put, path, "comp=blocklist");
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(xml.ToString()));
        AddBlobHeaders(request, options);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, "Put Block List", path, cancellationToken);
        return BlobHttp.ReadWriteResult(response);
    }

    private static void AddBlobHeaders(HttpRequestMessage request, BlobUploadOptions options)
    {
        if (options.ContentType is { } contentType)
        {
            request.Headers.TryAddWithoutValidation("x-ms-blob-content-type", contentType);
        }
        BlobHttp.AddMetadata(request, options.Metadata);
        BlobHttp.AddConditions(request, options.Conditions);
    }

    /// <summary>
    /// Content-MD5 lets the service reject a body corrupted in transit. It also spares Azurite its slow JavaScript
    /// CRC64 of every staged block (it verifies the MD5 natively instead), which dominated block upload time.
    /// </summary>
    private static ByteArrayContent BodyWithMd5(byte[] buffer, int count)
    {
        var content = new ByteArrayContent(buffer, 0, count);
        content.Headers.ContentMD5 = MD5.HashData(buffer.AsSpan(0, count));
        return content;
    }

    // Block ids must all have the same length within a blob: 16-byte upload id + 4-byte index, base64.
    private static string NewBlockId(Guid uploadId, int index)
    {
        Span<byte> raw = stackalloc byte[20];
        uploadId.TryWriteBytes(raw);
        BitConverter.TryWriteBytes(raw[16..], index);
        return Convert.ToBase64String(raw);
    }

    private static async Task<Exception?> DrainAsync(List<Task> tasks)
    {
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            // Inspected below.
        }
        return tasks
            .Where(t => t.IsFaulted)
            .SelectMany(t => t.Exception!.InnerExceptions)
            .FirstOrDefault(e => e is not OperationCanceledException);
    }
}
