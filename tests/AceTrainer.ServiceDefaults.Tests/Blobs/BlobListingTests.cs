using AceTrainer.ServiceDefaults.Blobs;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public sealed class BlobListingTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Listing_follows_continuation_markers_across_small_pages()
    {
        var container = await azurite.NewContainerAsync();
        var expected = Enumerable.Range(0, 12).Select(i => $"runs/r{i:D2}.json").ToList();
        foreach (var name in expected)
        {
            await azurite.Store.UploadAsync(container, name, new MemoryStream([1, 2]),
                new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["n"] = name[5..^5] } });
        }
        await azurite.Store.UploadAsync(container, "other/x.json", new MemoryStream([1]));

        var listed = await azurite.Store
            .ListAsync(container, new BlobListOptions { Prefix = "runs/", PageSize = 5, IncludeMetadata = true })
            .ToListAsync();

        Assert.Equal(expected, listed.Select(b => b.Name));
        Assert.All(listed, b => Assert.False(b.IsVirtualFolder));
        Assert.All(listed, b => Assert.Equal(2, b.Properties!.Size));
        Assert.All(listed, b => Assert.StartsWith("\"", b.Properties!.ETag));
        var fromHeaders = await azurite.Store.GetPropertiesAsync(container, listed[0].Name);
        Assert.Equal(fromHeaders!.ETag, listed[0].Properties!.ETag);
        Assert.Equal("r07", listed[7].Properties!.Metadata["n"]);
    }

    [Fact]
    public async Task Delimiter_folds_deeper_names_into_virtual_folders()
    {
        var container = await azurite.NewContainerAsync();
        foreach (var name in new[] { "a/1", "a/2", "b/c/3", "top" })
        {
            await azurite.Store.UploadAsync(container, name, new MemoryStream([7]));
        }

        var listed = await azurite.Store.ListAsync(container, new BlobListOptions { Delimiter = "/", PageSize = 2 }).ToListAsync();

        Assert.Equal(["a/", "b/", "top"], listed.Select(i => i.Name));
        Assert.Equal([true, true, false], listed.Select(i => i.IsVirtualFolder));
        Assert.Null(listed[0].Properties);
        Assert.Equal(1, listed[2].Properties!.Size);
    }

    [Fact]
    public async Task Listing_an_empty_prefix_yields_nothing()
    {
        var container = await azurite.NewContainerAsync();

        Assert.Empty(await azurite.Store.ListAsync(container, new BlobListOptions { Prefix = "nothing/" }).ToListAsync());
    }
}
