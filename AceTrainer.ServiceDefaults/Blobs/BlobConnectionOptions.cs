namespace AceTrainer.ServiceDefaults.Blobs;

/// <summary>Where the blob service is and how to sign for it, parsed from an Azure storage connection string.</summary>
public sealed record BlobConnectionOptions
{
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's published well-known key (not a secret).</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public BlobConnectionOptions(string accountName, string accountKey, Uri blobEndpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        AccountName = accountName;
        AccountKey = DecodeKey(accountKey);
        BlobEndpoint = blobEndpoint.AbsoluteUri.EndsWith('/') ? blobEndpoint : new Uri(blobEndpoint.AbsoluteUri + "/");
    }

    public string AccountName { get; }

    /// <summary>The decoded account key used for HMAC-SHA256 signing.</summary>
    internal byte[] AccountKey { get; }

    /// <summary>Account-level endpoint, always ending with "/", e.g. http://127.0.0.1:10000/devstoreaccount1/.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>
    /// Parses <c>UseDevelopmentStorage=true[;DevelopmentStorageProxyUri=…]</c> or the full form
    /// (<c>DefaultEndpointsProtocol</c>, <c>AccountName</c>, <c>AccountKey</c>, <c>BlobEndpoint</c>, <c>EndpointSuffix</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The string is malformed or lacks what SharedKey auth needs.</exception>
    public static BlobConnectionOptions Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = SplitSettings(connectionString);

        if (settings.TryGetValue("UseDevelopmentStorage", out var useDev))
        {
            if (!bool.TryParse(useDev, out var enabled) || !enabled)
            {
                throw Malformed("UseDevelopmentStorage must be 'true' when present");
            }
            return ForDevelopmentStorage(settings.GetValueOrDefault("DevelopmentStorageProxyUri"));
        }

        if (settings.ContainsKey("SharedAccessSignature"))
        {
            throw Malformed("SharedAccessSignature connection strings are not supported; use AccountName and AccountKey");
        }
        var accountName = Required(settings, "AccountName");
        var accountKey = Required(settings, "AccountKey");
        return new BlobConnectionOptions(accountName, accountKey, ResolveEndpoint(settings, accountName));
    }

    public override string ToString() => $"BlobConnectionOptions {{ AccountName = {AccountName}, BlobEndpoint = {BlobEndpoint} }}";

    private static BlobConnectionOptions ForDevelopmentStorage(string? proxyUri)
    {
        var host = "http://127.0.0.1";
        if (proxyUri is not null)
        {
            if (!Uri.TryCreate(proxyUri, UriKind.Absolute, out var proxy))
            {
                throw Malformed($"DevelopmentStorageProxyUri '{proxyUri}' is not an absolute URI");
            }
            host = $"{proxy.Scheme}://{proxy.Host}";
        }
        return new BlobConnectionOptions(
            DevelopmentAccountName, DevelopmentAccountKey, new Uri($"{host}:10000/{DevelopmentAccountName}"));
    }

    private static Uri ResolveEndpoint(Dictionary<string, string> settings, string accountName)
    {
        if (settings.TryGetValue("BlobEndpoint", out var explicitEndpoint))
        {
            if (!Uri.TryCreate(explicitEndpoint, UriKind.Absolute, out var endpoint)
                || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw Malformed($"BlobEndpoint '{explicitEndpoint}' is not an absolute http(s) URI");
            }
            return endpoint;
        }
        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https").ToLowerInvariant();
        if (protocol is not ("http" or "https"))
        {
            throw Malformed($"DefaultEndpointsProtocol must be http or https, not '{protocol}'");
        }
        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        return Uri.TryCreate($"{protocol}://{accountName}.blob.{suffix}", UriKind.Absolute, out var built)
            ? built
            : throw Malformed($"AccountName '{accountName}' and EndpointSuffix '{suffix}' do not form a valid host");
    }

    private static Dictionary<string, string> SplitSettings(string connectionString)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Split at the first '=' only: base64 keys end with '=' padding.
            var equals = segment.IndexOf('=');
            if (equals <= 0)
            {
                throw Malformed($"segment '{Redact(segment)}' is not of the form Key=Value");
            }
            var key = segment[..equals].Trim();
            var value = segment[(equals + 1)..].Trim();
            if (value.Length == 0)
            {
                throw Malformed($"'{key}' has an empty value");
            }
            if (!settings.TryAdd(key, value))
            {
                throw Malformed($"'{key}' appears more than once");
            }
        }
        return settings.Count > 0 ? settings : throw Malformed("it contains no settings");
    }

    private static string Required(Dictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) ? value : throw Malformed($"'{key}' is missing");

    private static byte[] DecodeKey(string accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountKey);
        try
        {
            return Convert.FromBase64String(accountKey);
        }
        catch (FormatException)
        {
            throw Malformed("AccountKey is not valid base64");
        }
    }

    // A segment without '=' could be a pasted key; never echo more than its start.
    private static string Redact(string segment) => segment.Length <= 12 ? segment : segment[..12] + "…";

    private static ArgumentException Malformed(string reason) =>
        new($"Malformed storage connection string: {reason}.", "connectionString");
}
