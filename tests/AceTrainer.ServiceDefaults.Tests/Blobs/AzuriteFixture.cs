using System.Security.Cryptography;
using System.Xml.Linq;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.TestSupport;

namespace AceTrainer.ServiceDefaults.Tests.Blobs;

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite blob service";
}

/// <summary>One in-memory Azurite shared by the blob tests; each test works in its own container.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;
    private AzureBlobStore? _store;

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Fixture not initialized.");

    public AzureBlobStore Store => _store ?? throw new InvalidOperationException("Fixture not initialized.");

    public BlobConnectionOptions Connection => BlobConnectionOptions.Parse(Server.ConnectionString);

    public async Task InitializeAsync()
    {
        _server = await AzuriteServer.StartNewAsync(inMemoryPersistence: true);
        // Pinned rather than the defaults: the tests' data sizes are chosen against 8 MiB blocks, 4 in flight.
        _store = new AzureBlobStore(Connection, new BlobTransferOptions { BlockSizeBytes = 8 * 1024 * 1024, MaxParallelBlocks = 4 });
    }

    public async Task DisposeAsync()
    {
        _store?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public async Task<string> NewContainerAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N")[..20];
        Assert.True(await Store.CreateContainerIfNotExistsAsync(name));
        return name;
    }

    /// <summary>Block ids the service holds for a blob ("committed" or "uncommitted"), read with our own signer.</summary>
    public async Task<IReadOnlyList<string>> GetBlockIdsAsync(string container, string blob, string listType)
    {
        var connection = Connection;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{connection.BlobEndpoint}{container}/{blob}?comp=blocklist&blocklisttype={listType}");
        request.Headers.TryAddWithoutValidation("x-ms-version", BlobHttp.ApiVersion);
        new SharedKeySigner(connection.AccountName, connection.AccountKey).Sign(request);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        var section = listType == "committed" ? "CommittedBlocks" : "UncommittedBlocks";
        return root.Element(section)?.Elements("Block").Select(b => b.Element("Name")!.Value).ToList() ?? [];
    }

    public static byte[] RandomBytes(int count) => RandomNumberGenerator.GetBytes(count);

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
