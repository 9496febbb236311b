using System.Net;

namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>
/// <see cref="IBlobStore"/> over the Azure Blob REST API (works with Azure and Azurite). Thread-safe; meant to
/// be a singleton because it owns the one pooled <see cref="HttpClient"/>.
/// </summary>
public sealed partial class AzureBlobStore : IBlobStore, IDisposable
{
    private readonly HttpClient _http;
    private readonly SharedKeySigner _signer;
    private readonly string _endpoint;
    private readonly BlobTransferOptions _transfer;

    public AzureBlobStore(BlobConnectionOptions connection, BlobTransferOptions? transfer = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _transfer = transfer ?? new BlobTransferOptions();
        _transfer.Validate();
        _endpoint = connection.BlobEndpoint.AbsoluteUri;
        _signer = new SharedKeySigner(connection.AccountName, connection.AccountKey);
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        })
        {
            // Transfers of large blobs legitimately run for minutes; callers bound them with cancellation tokens.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Get, "", "comp=list&maxresults=1");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, "List Containers", _endpoint, cancellationToken);
    }

    public async Task<bool> CreateContainerIfNotExistsAsync(string container, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Put, ContainerPath(container), "restype=container");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict && BlobHttp.Header(response, "x-ms-error-code") == "ContainerAlreadyExists")
        {
            return false;
        }
        await EnsureSuccessAsync(response, "Create Container", container, cancellationToken);
        return true;
    }

    public async Task<bool> DeleteContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Delete, ContainerPath(container), "restype=container");
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, "Delete Container", container, cancellationToken);
        return true;
    }

    public async Task<BlobProperties?> GetPropertiesAsync(
        string container, string blobName, CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Head, BlobPath(container, blobName));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureSuccessAsync(response, "Get Blob Properties", $"{container}/{blobName}", cancellationToken);
        return BlobHttp.ReadProperties(response, response.Content.Headers.ContentLength ?? 0);
    }

    public async Task<BlobWriteResult> SetMetadataAsync(
        string container, string blobName, IReadOnlyDictionary<string, string> metadata,
        BlobConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        using var request = NewRequest(HttpMethod.Put, BlobPath(container, blobName), "comp=metadata");
        BlobHttp.AddMetadata(request, metadata);
        BlobHttp.AddConditions(request, conditions);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await EnsureSuccessAsync(response, "Set Blob Metadata", $"{container}/{blobName}", cancellationToken);
        return BlobHttp.ReadWriteResult(response);
    }

    public async Task<bool> DeleteAsync(
        string container, string blobName, BlobConditions? conditions = null,
        CancellationToken cancellationToken = default)
    {
        using var request = NewRequest(HttpMethod.Delete, BlobPath(container, blobName));
        request.Headers.TryAddWithoutValidation("x-ms-delete-snapshots", "include");
        BlobHttp.AddConditions(request, conditions);
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, "Delete Blob", $"{container}/{blobName}", cancellationToken);
        return true;
    }

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage NewRequest(HttpMethod method, string path, string? query = null)
    {
        var uri = query is null ? _endpoint + path : $"{_endpoint}{path}?{query}";
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("x-ms-version", BlobHttp.ApiVersion);
        return request;
    }

    private Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        _signer.Sign(request);
        return _http.SendAsync(request, completion, cancellationToken);
    }

    private static async Task EnsureSuccessAsync(
        HttpResponseMessage response, string operation, string resource, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await BlobHttp.ToExceptionAsync(response, operation, resource, cancellationToken);
        }
    }

    private static string ContainerPath(string container)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        return Uri.EscapeDataString(container);
    }

    // Each '/'-separated segment is escaped on its own so virtual folders stay folders.
    private static string BlobPath(string container, string blobName)
    {
        ArgumentException.ThrowIfNullOrEmpty(blobName);
        return ContainerPath(container) + "/" + string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString));
    }
}
