namespace AceTrainer.WebFrontend.Proxy;

public static class ProxyExtensions
{
    /// <summary>Every method on each prefix (and below it) goes to <paramref name="service"/> unchanged.</summary>
    public static WebApplication MapServiceProxy(this WebApplication app, string service, params string[] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            RequestDelegate forward = context => context.RequestServices.GetRequiredService<ServiceProxy>().ForwardAsync(context, service);
            app.Map(prefix, forward);
            app.Map(prefix + "/{**rest}", forward);
        }
        return app;
    }
}
