using Microsoft.Net.Http.Headers;

namespace AceTrainer.WebFrontend.Proxy;

/// <summary>Translates between the incoming request/outgoing response and the HttpClient messages, minus hop-by-hop headers.</summary>
public static class ProxyMessages
{
    // RFC 9110 section 7.6.1, plus Host (the target's own) and the ones a hop sets for itself.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.KeepAlive, HeaderNames.ProxyAuthenticate, HeaderNames.ProxyAuthorization,
        HeaderNames.TE, HeaderNames.Trailer, HeaderNames.TransferEncoding, HeaderNames.Upgrade, HeaderNames.Host,
        "Proxy-Connection",
    };

    public static HttpRequestMessage CreateRequest(HttpContext context, Uri baseUrl)
    {
        var incoming = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(baseUrl, incoming.Path.Value + incoming.QueryString.Value))
        {
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (HasBody(incoming))
        {
            message.Content = new StreamContent(incoming.Body);
        }
        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }
            if (!message.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        message.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        message.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        message.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        return message;
    }

    public static void CopyResponseHead(HttpResponseMessage from, HttpResponse to)
    {
        to.StatusCode = (int)from.StatusCode;
        foreach (var (name, values) in from.Headers.Concat(from.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                to.Headers[name] = values.ToArray();
            }
        }
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
}
