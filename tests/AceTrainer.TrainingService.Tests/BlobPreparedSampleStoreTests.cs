using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.TestSupport;
using AceTrainer.TrainingService.Preparation;

namespace AceTrainer.TrainingService.Tests;

public sealed class BlobPreparedSampleStoreTests : IAsyncLifetime
{
    private AzuriteServer? server;
    private AzureBlobStore? blobs;
    private readonly string scratch = Directory.CreateTempSubdirectory("prepared-store-").FullName;

    public async Task InitializeAsync()
    {
        server = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        blobs = new AzureBlobStore(BlobConnectionOptions.Parse(server.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        blobs?.Dispose();
        if (server is not null) await server.DisposeAsync();
        Directory.Delete(scratch, recursive: true);
    }

    [Fact]
    public async Task An_entry_put_by_one_worker_is_found_by_another_machine()
    {
        var workerA = new BlobPreparedSampleStore(blobs!, "training", Path.Combine(scratch, "a"));
        var workerB = new BlobPreparedSampleStore(blobs!, "training", Path.Combine(scratch, "b"));
        var source = Path.Combine(scratch, "sample.safetensors");
        var bytes = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        await File.WriteAllBytesAsync(source, bytes);

        Assert.Null(await workerB.TryGetAsync("abc123", CancellationToken.None));
        await workerA.PutAsync("abc123", source, CancellationToken.None);
        var fetched = await workerB.TryGetAsync("abc123", CancellationToken.None);

        Assert.NotNull(fetched);
        Assert.StartsWith(Path.Combine(scratch, "b"), fetched);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(fetched!));
        var properties = await blobs!.GetPropertiesAsync("training", BlobPreparedSampleStore.BlobName("abc123"));
        Assert.Equal("abc123", properties!.Metadata["contenthash"]);
        Assert.Empty(Directory.GetFiles(Path.Combine(scratch, "b"), "*.download"));
    }
}
