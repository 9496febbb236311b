using System.Globalization;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace AceTrainer.ServiceDefaults.Blobs;

public sealed partial class AzureBlobStore
{
    public async IAsyncEnumerable<BlobListItem> ListAsync(
        string container, BlobListOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new BlobListOptions();
        if (options.PageSize is { } pageSize)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 5000);
        }
        var path = ContainerPath(container);
        string? marker = null;
        do
        {
            var page = await ListPageAsync(path, options, marker, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }
            marker = page.NextMarker;
        }
        while (!string.IsNullOrEmpty(marker));
    }

    private async Task<(List<BlobListItem> Items, string? NextMarker)> ListPageAsync(
        string containerPath, BlobListOptions options, string? marker, CancellationToken cancellationToken)
    {
        var query = new List<string> { "restype=container", "comp=list" };
        AddQuery(query, "prefix", options.Prefix);
        AddQuery(query, "delimiter", options.Delimiter);
        AddQuery(query, "maxresults", options.PageSize?.ToString(CultureInfo.InvariantCulture));
        AddQuery(query, "marker", marker);
        AddQuery(query, "include", options.IncludeMetadata ? "metadata" : null);

        using var request = NewRequest(HttpMethod.Get, containerPath, string.Join('&', query));
        using var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, "List Blobs", containerPath, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var root = (await XDocument.LoadAsync(body, LoadOptions.None, cancellationToken)).Root
            ?? throw new InvalidOperationException("List Blobs returned an empty document.");

        var items = new List<BlobListItem>();
        foreach (var element in root.Element("Blobs")?.Elements() ?? [])
        {
            var name = element.Element("Name")?.Value ?? "";
            items.Add(element.Name.LocalName == "BlobPrefix"
                ? new BlobListItem(name, IsVirtualFolder: true, Properties: null)
                : new BlobListItem(name, IsVirtualFolder: false, ParseListedProperties(element)));
        }
        return (items, root.Element("NextMarker")?.Value);
    }

    private static BlobProperties ParseListedProperties(XElement blob)
    {
        var properties = blob.Element("Properties");
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in blob.Element("Metadata")?.Elements() ?? [])
        {
            metadata[entry.Name.LocalName] = entry.Value;
        }
        return new BlobProperties(
            long.TryParse(properties?.Element("Content-Length")?.Value, CultureInfo.InvariantCulture, out var size) ? size : 0,
            QuoteETag(properties?.Element("Etag")?.Value ?? ""),
            BlobHttp.ParseDate(properties?.Element("Last-Modified")?.Value),
            properties?.Element("Content-Type")?.Value is { Length: > 0 } type ? type : null,
            metadata);
    }

    // Listings return ETags bare while headers quote them; quote so either can feed If-Match.
    private static string QuoteETag(string etag) => etag.StartsWith('"') ? etag : $"\"{etag}\"";

    private static void AddQuery(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
    }
}
