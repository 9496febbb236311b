using AceTrainer.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace AceTrainer.EndToEnd.Tests;

/// <summary>
/// The WebFrontend's wwwroot served as static files by Kestrel, with this project's TestPages under /test, and one
/// chromium for all tests of the class: the loss chart module is loaded exactly as the portal serves it.
/// </summary>
public sealed class LossChartSite : IAsyncLifetime
{
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string Url { get; } = $"http://127.0.0.1:{FreePort.Next()}";

    public async Task InitializeAsync()
    {
        var wwwroot = Path.Combine(AzuriteServer.FindRepoRoot(), "AceTrainer.WebFrontend", "wwwroot");
        if (!File.Exists(Path.Combine(wwwroot, "lib", "uplot", "uPlot.esm.js")))
            throw new InvalidOperationException($"{wwwroot}/lib is missing: build AceTrainer.WebFrontend first (it copies uPlot there).");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", WebRootPath = wwwroot });
        builder.WebHost.UseUrls(Url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        _app = builder.Build();
        _app.UseStaticFiles();
        _app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "TestPages")),
            RequestPath = "/test",
        });
        await _app.StartAsync();
        (_playwright, _browser) = await Chromium.LaunchAsync();
    }

    /// <summary>A fresh tab on the test page with a LossChart as window.chart; errors in its console land in errors.</summary>
    public async Task<IPage> OpenChartAsync(List<string> errors)
    {
        var page = await _browser!.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        page.Console += (_, m) =>
        {
            if (m.Type == "error") errors.Add(m.Text);
        };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync($"{Url}/test/loss-chart.html");
        await page.WaitForSelectorAsync("body[data-ready='true']");
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
    }
}
