using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace AceTrainer.WebFrontend.Proxy;

/// <summary>
/// Forwards a browser request to another service of the system as it is: method, path, query, headers (Range, If-Match,
/// ETag...) and status codes pass through, and both bodies are streamed, never buffered, so 500 MB uploads and audio
/// ranges cost no memory here. The target is found the Aspire way, from services:NAME:http:0.
/// </summary>
public sealed class ServiceProxy(IConfiguration configuration, ILogger<ServiceProxy> logger) : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    });

    public async Task ForwardAsync(HttpContext context, string service)
    {
        // The target service enforces its own body limits; ours would cut large uploads short.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = null;
        }
        // An empty error body from the target stays empty: the browser sees what the service said.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false;
        }
        if (configuration[$"services:{service}:http:0"] is not { Length: > 0 } baseUrl)
        {
            await Unavailable(context, service, "its address is not configured").ExecuteAsync(context);
            return;
        }

        using var request = ProxyMessages.CreateRequest(context, new Uri(baseUrl));
        HttpResponseMessage response;
        try
        {
            response = await _invoker.SendAsync(request, context.RequestAborted);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested && e is HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning("{Service} did not answer {Method} {Path}: {Reason}", service, context.Request.Method, context.Request.Path, e.Message);
            await Failed(context, service, e).ExecuteAsync(context);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        using (response)
        {
            ProxyMessages.CopyResponseHead(response, context.Response);
            try
            {
                await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
            {
                // Status and headers are gone already: cutting the connection is the only honest signal left.
                logger.LogDebug("Proxied body from {Service} ended early: {Reason}", service, e.Message);
                context.Abort();
            }
        }
    }

    public void Dispose() => _invoker.Dispose();

    private static IResult Failed(HttpContext context, string service, Exception error) =>
        error is OperationCanceledException or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
            ? Unavailable(context, service, "it is not running or not reachable")
            : TypedResults.Problem(
                title: $"{service} failed",
                detail: $"The portal could not get an answer from {service}: {error.Message}",
                statusCode: StatusCodes.Status502BadGateway,
                instance: context.Request.Path);

    private static IResult Unavailable(HttpContext context, string service, string why) => TypedResults.Problem(
        title: $"{service} is unavailable",
        detail: $"The portal cannot reach {service}: {why}. Try again in a moment.",
        statusCode: StatusCodes.Status503ServiceUnavailable,
        instance: context.Request.Path);
}
