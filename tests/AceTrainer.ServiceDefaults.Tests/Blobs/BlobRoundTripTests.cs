using System.Net;
using System.Security.Cryptography;
using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public sealed class BlobRoundTripTests(AzuriteFixture azurite)
{
    private IBlobStore Store => azurite.Store;

    [Fact]
    public async Task Container_creation_is_idempotent_and_delete_reports_absence()
    {
        var container = await azurite.NewContainerAsync();

        Assert.False(await Store.CreateContainerIfNotExistsAsync(container));
        Assert.True(await Store.DeleteContainerAsync(container));
        Assert.False(await Store.DeleteContainerAsync(container));
    }

    [Fact]
    public async Task Ping_succeeds_against_a_running_service()
    {
        await Store.PingAsync();
    }

    [Fact]
    public async Task Small_upload_round_trips_with_content_type_and_metadata()
    {
        var container = await azurite.NewContainerAsync();
        var data = AzuriteFixture.RandomBytes(100_000);
        var metadata = new Dictionary<string, string> { ["owner"] = "trainer-7", ["Kind"] = "dataset" };

        var written = await Store.UploadAsync(container, "dir/small file ü.bin", new MemoryStream(data),
            new BlobUploadOptions { ContentType = "application/x-test", Metadata = metadata });

        await using var download = await Store.DownloadAsync(container, "dir/small file ü.bin");
        Assert.NotNull(download);
        Assert.Equal(data, await AzuriteFixture.ReadAllAsync(download.Content));
        Assert.Equal(data.Length, download.ContentLength);
        Assert.Equal(data.Length, download.TotalSize);
        Assert.Null(download.ContentRange);
        Assert.Equal(written.ETag, download.ETag);
        Assert.Equal("application/x-test", download.ContentType);
        Assert.Equal("trainer-7", download.Metadata["owner"]);
        Assert.Equal("dataset", download.Metadata["kind"]);
    }

    [Fact]
    public async Task Empty_stream_uploads_an_empty_blob()
    {
        var container = await azurite.NewContainerAsync();

        await Store.UploadAsync(container, "empty", Stream.Null);

        var properties = await Store.GetPropertiesAsync(container, "empty");
        Assert.NotNull(properties);
        Assert.Equal(0, properties.Size);
    }

    [Fact]
    public async Task Large_unknown_length_upload_is_committed_from_several_blocks_and_downloads_byte_equal()
    {
        var container = await azurite.NewContainerAsync();
        var data = AzuriteFixture.RandomBytes(40 * 1024 * 1024 + 12_345);
        var source = new NonSeekableStream(new MemoryStream(data));

        var written = await Store.UploadAsync(container, "large.bin", source, new BlobUploadOptions { ContentType = "application/octet-stream" });

        var committed = await azurite.GetBlockIdsAsync(container, "large.bin", "committed");
        Assert.Equal(6, committed.Count); // 5 full 8 MiB blocks + the remainder
        await using var download = await Store.DownloadAsync(container, "large.bin");
        Assert.NotNull(download);
        Assert.Equal(written.ETag, download.ETag);
        Assert.Equal(data.Length, download.ContentLength);
        using var sha = SHA256.Create();
        Assert.Equal(SHA256.HashData(data), await sha.ComputeHashAsync(download.Content));
    }

    [Fact]
    public async Task Large_seekable_upload_is_one_streamed_put_blob_and_downloads_byte_equal()
    {
        var container = await azurite.NewContainerAsync();
        var data = AzuriteFixture.RandomBytes(20 * 1024 * 1024 + 7);
        var source = new MemoryStream(data) { Position = 0 };

        var written = await Store.UploadAsync(container, "seekable.bin", source);

        Assert.Empty(await azurite.GetBlockIdsAsync(container, "seekable.bin", "committed"));
        Assert.True(source.CanRead, "the caller's stream stays open");
        await using var download = await Store.DownloadAsync(container, "seekable.bin");
        Assert.NotNull(download);
        Assert.Equal(written.ETag, download.ETag);
        using var sha = SHA256.Create();
        Assert.Equal(SHA256.HashData(data), await sha.ComputeHashAsync(download.Content));
    }

    [Fact]
    public async Task Ranged_download_returns_just_the_range_and_the_total_size()
    {
        var container = await azurite.NewContainerAsync();
        var data = AzuriteFixture.RandomBytes(10_000);
        await Store.UploadAsync(container, "ranged", new MemoryStream(data));

        await using (var middle = await Store.DownloadAsync(container, "ranged", new BlobDownloadOptions { Range = new BlobRange(1000, 500) }))
        {
            Assert.NotNull(middle);
            Assert.Equal(data[1000..1500], await AzuriteFixture.ReadAllAsync(middle.Content));
            Assert.Equal(500, middle.ContentLength);
            Assert.Equal(10_000, middle.TotalSize);
            Assert.Equal("bytes 1000-1499/10000", middle.ContentRange);
        }
        await using var tail = await Store.DownloadAsync(container, "ranged", new BlobDownloadOptions { Range = new BlobRange(9_990) });
        Assert.NotNull(tail);
        Assert.Equal(data[9_990..], await AzuriteFixture.ReadAllAsync(tail.Content));

        var beyond = await Assert.ThrowsAsync<BlobStorageException>(() =>
            Store.DownloadAsync(container, "ranged", new BlobDownloadOptions { Range = new BlobRange(20_000, 10) }));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.Status);
        Assert.Equal("InvalidRange", beyond.ErrorCode);
    }

    [Fact]
    public async Task Properties_and_metadata_can_be_read_and_replaced()
    {
        var container = await azurite.NewContainerAsync();
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var written = await Store.UploadAsync(container, "props", new MemoryStream(new byte[321]),
            new BlobUploadOptions { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["a"] = "1" } });

        var properties = await Store.GetPropertiesAsync(container, "props");
        Assert.NotNull(properties);
        Assert.Equal(321, properties.Size);
        Assert.Equal(written.ETag, properties.ETag);
        Assert.Equal("text/plain", properties.ContentType);
        Assert.InRange(properties.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("1", properties.Metadata["a"]);

        var updated = await Store.SetMetadataAsync(container, "props", new Dictionary<string, string> { ["b"] = "two" });

        var after = await Store.GetPropertiesAsync(container, "props");
        Assert.NotNull(after);
        Assert.NotEqual(written.ETag, updated.ETag);
        Assert.Equal(updated.ETag, after.ETag);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "two" }, after.Metadata.ToDictionary());
        Assert.Equal(321, after.Size);
    }

    [Fact]
    public async Task Absent_blobs_and_containers_read_as_null()
    {
        var container = await azurite.NewContainerAsync();

        Assert.Null(await Store.GetPropertiesAsync(container, "nope"));
        Assert.Null(await Store.DownloadAsync(container, "nope"));
        Assert.Null(await Store.GetPropertiesAsync("no-such-container", "nope"));
    }

    [Fact]
    public async Task Delete_removes_the_blob_and_reports_false_when_absent()
    {
        var container = await azurite.NewContainerAsync();
        await Store.UploadAsync(container, "doomed", new MemoryStream([1, 2, 3]));

        Assert.True(await Store.DeleteAsync(container, "doomed"));
        Assert.Null(await Store.GetPropertiesAsync(container, "doomed"));
        Assert.False(await Store.DeleteAsync(container, "doomed"));
    }

    [Fact]
    public async Task Invalid_metadata_names_are_rejected_before_any_request()
    {
        var container = await azurite.NewContainerAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => Store.UploadAsync(container, "m", new MemoryStream([1]),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["not-valid"] = "x" } }));
    }

    [Fact]
    public async Task Service_errors_carry_status_and_error_code()
    {
        var error = await Assert.ThrowsAsync<BlobStorageException>(() =>
            Store.UploadAsync("no-such-container", "x", new MemoryStream([1])));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal("ContainerNotFound", error.ErrorCode);
        Assert.Contains("ContainerNotFound", error.Message);
    }
}

/// <summary>Hides length and seeking, like a network or pipe stream.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
