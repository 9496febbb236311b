using System.Text;
using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

/// <summary>A failed upload must leave no trace a reader can see: neither a partial new blob nor a changed old one.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobAtomicityTests(AzuriteFixture azurite)
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Stream_failing_after_several_blocks_leaves_no_visible_blob()
    {
        var container = await azurite.NewContainerAsync();
        var source = new FailingStream(AzuriteFixture.RandomBytes(20 * MiB));

        var error = await Assert.ThrowsAsync<IOException>(() => azurite.Store.UploadAsync(container, "partial", source));

        Assert.Equal(FailingStream.FailureMessage, error.Message);
        Assert.Null(await azurite.Store.GetPropertiesAsync(container, "partial"));
        Assert.Empty(await azurite.Store.ListAsync(container).ToListAsync());
    }

    [Fact]
    public async Task Seekable_stream_failing_inside_a_streamed_put_blob_leaves_no_visible_blob()
    {
        var container = await azurite.NewContainerAsync();
        var source = new FailingStream(AzuriteFixture.RandomBytes(12 * MiB), declaredLength: 30 * MiB);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => azurite.Store.UploadAsync(container, "partial", source));

        Assert.Contains(FailingStream.FailureMessage, error.ToString());
        Assert.Null(await azurite.Store.GetPropertiesAsync(container, "partial"));
    }

    [Fact]
    public async Task Stream_failing_midway_leaves_an_existing_blob_unchanged()
    {
        var container = await azurite.NewContainerAsync();
        var original = await azurite.Store.UploadAsync(container, "stable", new MemoryStream(Encoding.UTF8.GetBytes("original")));

        await Assert.ThrowsAsync<IOException>(() =>
            azurite.Store.UploadAsync(container, "stable", new FailingStream(AzuriteFixture.RandomBytes(17 * MiB), failureDelay: TimeSpan.FromSeconds(1))));
        // Proves the failure really happened mid-upload: two full 8 MiB blocks reached the service, uncommitted.
        Assert.Equal(2, (await azurite.GetBlockIdsAsync(container, "stable", "uncommitted")).Count);
        await Assert.ThrowsAsync<IOException>(() =>
            azurite.Store.UploadAsync(container, "stable", new FailingStream(AzuriteFixture.RandomBytes(1000))));

        await using var download = await azurite.Store.DownloadAsync(container, "stable");
        Assert.NotNull(download);
        Assert.Equal(original.ETag, download.ETag);
        Assert.Equal("original", Encoding.UTF8.GetString(await AzuriteFixture.ReadAllAsync(download.Content)));
    }

    [Fact]
    public async Task Cancelled_block_upload_leaves_no_visible_blob()
    {
        var container = await azurite.NewContainerAsync();
        using var cancel = new CancellationTokenSource();
        var source = new FailingStream(AzuriteFixture.RandomBytes(20 * MiB), onExhausted: cancel.Cancel);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            azurite.Store.UploadAsync(container, "cancelled", source, cancellationToken: cancel.Token));

        Assert.Null(await azurite.Store.GetPropertiesAsync(container, "cancelled"));
    }

    /// <summary>
    /// Yields its bytes, then fails the next read like a dropped client connection; with <c>onExhausted</c> it
    /// instead runs that (e.g. the caller cancelling) and honours the read's cancellation token.
    /// </summary>
    /// <param name="failureDelay">Delays the failing read so blocks already sent can land before the upload aborts.</param>
    /// <param name="declaredLength">Makes the stream seekable with this Length, more than it will ever yield.</param>
    private sealed class FailingStream(
        byte[] data, Action? onExhausted = null, TimeSpan failureDelay = default, long? declaredLength = null) : Stream
    {
        public const string FailureMessage = "source connection dropped";
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => declaredLength is not null;
        public override bool CanWrite => false;
        public override long Length => declaredLength ?? throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position == data.Length)
            {
                throw new IOException(FailureMessage);
            }
            var count = Math.Min(buffer.Length, data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_position == data.Length && failureDelay > TimeSpan.Zero)
            {
                await Task.Delay(failureDelay, cancellationToken);
            }
            if (_position == data.Length && onExhausted is not null)
            {
                onExhausted();
                cancellationToken.ThrowIfCancellationRequested();
            }
            return Read(buffer.Span);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
