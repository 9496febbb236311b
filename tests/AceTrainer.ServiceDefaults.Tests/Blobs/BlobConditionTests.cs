using System.Net;
using System.Text;
using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public sealed class BlobConditionTests(AzuriteFixture azurite)
{
    private IBlobStore Store => azurite.Store;

    private static MemoryStream Text(string value) => new(Encoding.UTF8.GetBytes(value));

    private async Task<string> ReadTextAsync(string container, string blob)
    {
        await using var download = await Store.DownloadAsync(container, blob);
        Assert.NotNull(download);
        return Encoding.UTF8.GetString(await AzuriteFixture.ReadAllAsync(download.Content));
    }

    [Fact]
    public async Task Create_only_upload_succeeds_once_then_fails_with_a_condition_error()
    {
        var container = await azurite.NewContainerAsync();
        var createOnly = new BlobUploadOptions { Conditions = BlobConditions.IfNotExists };

        await Store.UploadAsync(container, "lock", Text("first"), createOnly);
        var error = await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            Store.UploadAsync(container, "lock", Text("second"), createOnly));

        Assert.Contains(error.Status, new[] { HttpStatusCode.Conflict, HttpStatusCode.PreconditionFailed });
        Assert.Equal("first", await ReadTextAsync(container, "lock"));
    }

    [Fact]
    public async Task Create_only_block_upload_fails_at_commit_when_the_blob_exists()
    {
        using var smallBlocks = new AzureBlobStore(azurite.Connection, new BlobTransferOptions { BlockSizeBytes = 1024 });
        var container = await azurite.NewContainerAsync();
        await Store.UploadAsync(container, "lock", Text("first"));

        await Assert.ThrowsAsync<BlobConditionFailedException>(() => smallBlocks.UploadAsync(container, "lock",
            new MemoryStream(new byte[5000]), new BlobUploadOptions { Conditions = BlobConditions.IfNotExists }));

        Assert.Equal("first", await ReadTextAsync(container, "lock"));
    }

    [Fact]
    public async Task Stale_if_match_fails_and_leaves_the_blob_unchanged()
    {
        var container = await azurite.NewContainerAsync();
        var v1 = await Store.UploadAsync(container, "doc", Text("v1"));
        var v2 = await Store.UploadAsync(container, "doc", Text("v2"), new BlobUploadOptions { Conditions = BlobConditions.IfETagMatches(v1.ETag) });

        var error = await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            Store.UploadAsync(container, "doc", Text("lost update"), new BlobUploadOptions { Conditions = BlobConditions.IfETagMatches(v1.ETag) }));

        Assert.Equal(HttpStatusCode.PreconditionFailed, error.Status);
        Assert.Equal("v2", await ReadTextAsync(container, "doc"));
        Assert.Equal(v2.ETag, (await Store.GetPropertiesAsync(container, "doc"))!.ETag);
    }

    [Fact]
    public async Task Conditional_delete_and_metadata_respect_the_etag()
    {
        var container = await azurite.NewContainerAsync();
        var v1 = await Store.UploadAsync(container, "doc", Text("v1"));
        var v2 = await Store.SetMetadataAsync(container, "doc", new Dictionary<string, string> { ["x"] = "1" }, BlobConditions.IfETagMatches(v1.ETag));

        await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            Store.SetMetadataAsync(container, "doc", new Dictionary<string, string>(), BlobConditions.IfETagMatches(v1.ETag)));
        await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            Store.DeleteAsync(container, "doc", BlobConditions.IfETagMatches(v1.ETag)));
        Assert.NotNull(await Store.GetPropertiesAsync(container, "doc"));

        Assert.True(await Store.DeleteAsync(container, "doc", BlobConditions.IfETagMatches(v2.ETag)));
    }

    [Fact]
    public async Task Conditional_download_fails_on_stale_if_match_and_on_matching_if_none_match()
    {
        var container = await azurite.NewContainerAsync();
        var v1 = await Store.UploadAsync(container, "doc", Text("v1"));

        var notModified = await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            Store.DownloadAsync(container, "doc", new BlobDownloadOptions { Conditions = new BlobConditions(IfNoneMatch: v1.ETag) }));
        Assert.Equal(HttpStatusCode.NotModified, notModified.Status);

        await Store.UploadAsync(container, "doc", Text("v2"));
        var stale = await Assert.ThrowsAsync<BlobConditionFailedException>(() =>
            Store.DownloadAsync(container, "doc", new BlobDownloadOptions { Conditions = BlobConditions.IfETagMatches(v1.ETag) }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
    }
}
