using System.Globalization;
using AceTrainer.EndToEnd.Tests;
using AceTrainer.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace AceTrainer.Benchmarks;

/// <summary>
/// The portal's LossChart (js/charts/loss-chart.js) against plain uPlot in Debian's chromium: the time from handing
/// over a run of N points (default 1,000,000) to the drawn chart, ours (LTTB to the plot width) vs uPlot given them all.
/// Options: -n N, --reps N (default 5; the sides alternate and each reports its median).
/// </summary>
public static class ChartBenchmark
{
    private const string Page = """
        <!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
        <link rel="stylesheet" href="/css/site.css"><link rel="stylesheet" href="/lib/uplot/uPlot.min.css"></head>
        <body><script type="module">
          import uPlot from "/lib/uplot/uPlot.esm.js";
          import { LossChart } from "/js/charts/loss-chart.js";
          // uPlot draws in a microtask queued by the call; awaiting one after it waits for the drawn chart.
          const drawn = () => Promise.resolve();
          window.measure = async (side, n) => {
            const step = new Float64Array(n), loss = new Float64Array(n);
            for (let i = 0; i < n; i++) { step[i] = i + 1; loss[i] = 2 / (1 + i / 1000) + 0.3 * Math.sin(i * 0.7); }
            const host = document.createElement("div");
            host.style.width = "1200px";
            document.body.append(host);
            let elapsed, destroy;
            if (side === "ours") {
              const chart = new LossChart(host, { height: 320 });
              await new Promise((resolve) => setTimeout(resolve, 50));
              const start = performance.now();
              chart.setRun("loss", { step, loss });
              await drawn();
              elapsed = performance.now() - start;
              destroy = () => chart.destroy();
            } else {
              const xs = Array.from(step), ys = Array.from(loss);
              const start = performance.now();
              const plot = new uPlot({ width: 1200, height: 320, scales: { x: { time: false } }, series: [{}, { stroke: "#7c9cff" }] }, [xs, ys], host);
              await drawn();
              elapsed = performance.now() - start;
              destroy = () => plot.destroy();
            }
            destroy();
            host.remove();
            return elapsed;
          };
          document.body.dataset.ready = "true";
        </script></body></html>
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var points = BenchmarkArgs.Int(args, "-n", 1_000_000);
        var reps = BenchmarkArgs.Int(args, "--reps", 5);
        var wwwroot = Path.Combine(AzuriteServer.FindRepoRoot(), "AceTrainer.WebFrontend", "wwwroot");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", WebRootPath = wwwroot });
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        app.UseStaticFiles();
        app.MapGet("/chart-benchmark", () => Results.Content(Page, "text/html"));
        await app.StartAsync();

        var (playwright, browser) = await Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
            page.PageError += (_, e) => Console.Error.WriteLine($"page error: {e}");
            await page.GotoAsync($"{url}/chart-benchmark");
            await page.WaitForSelectorAsync("body[data-ready='true']", new() { State = WaitForSelectorState.Attached });
            var times = new Dictionary<string, List<double>> { ["ours"] = [], ["uplot"] = [] };
            await page.EvaluateAsync<double>("n => measure('ours', n)", Math.Min(points, 10_000)); // warm the JIT
            for (var rep = 0; rep < reps; rep++)
            {
                foreach (var side in times.Keys)
                    times[side].Add(await page.EvaluateAsync<double>("([side, n]) => measure(side, n)", new object[] { side, points }));
            }
            var ours = Median(times["ours"]);
            var theirs = Median(times["uplot"]);
            Console.WriteLine($"points={points} reps={reps} (median of each side), chart 1200 px wide");
            Console.WriteLine($"{"LossChart.setRun ms",20} {"uPlot all points ms",20} {"ratio",6}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ours,20:0.0} {theirs,20:0.0} {theirs / ours,6:0.00}"));
        }
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
