using System.Diagnostics;
using System.Text.RegularExpressions;
using AceTrainer.TestSupport.AppHost;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AceTrainer.EndToEnd.Tests;

/// <summary>The whole system started by the real AppHost, the System page in Debian's chromium, Redis taken away and given back.</summary>
public sealed partial class SystemPageTests(ITestOutputHelper output)
{
    private static readonly string[] Services = ["webfrontend", "datasetservice", "trainingservice"];
    private static readonly Regex Red = RedState();

    [Fact]
    public async Task System_page_is_green_turns_red_within_10_s_when_redis_stops_and_green_again_when_it_returns()
    {
        var ports = TestPorts.Free();
        await using var appHost = AppHostProcess.Start(output.WriteLine, ports.Arguments());
        await appHost.WaitForLineAsync(l => l.Contains("AceTrainer portal: "), TimeSpan.FromSeconds(120));
        var redisCommand = RedisCommandLine(await appHost.WaitForLineAsync(l => l.Contains("started redis (pid "), TimeSpan.FromSeconds(1)));

        var (playwright, browser) = await Chromium.LaunchAsync();
        Process? replacementRedis = null;
        using (playwright)
        await using (browser)
        {
            try
            {
                var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
                await page.GotoAsync($"http://127.0.0.1:{ports.Portal}/System");

                await ExpectAllAsync(page, "healthy", TimeSpan.FromSeconds(30));
                await Expect(page.Locator("#link")).ToHaveAttributeAsync("data-state", "live");

                ProcessTable.Signal(appHost.ChildPids["redis"], ProcessTable.SigTerm);
                var stopped = Stopwatch.StartNew();
                await ExpectAllAsync(page, Red, TimeSpan.FromSeconds(10));
                output.WriteLine($"System page fully red {stopped.Elapsed.TotalSeconds:0.0} s after Redis was stopped");
                await Expect(page.Locator(".service[data-service='webfrontend'] .reason")).ToContainTextAsync("redis");
                await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "acetrainer-system-red.png") });

                // Redis comes back on the same port with the same data, as a restarted container would.
                replacementRedis = Process.Start(new ProcessStartInfo(redisCommand[0], redisCommand[1..]) { RedirectStandardOutput = true })!;
                await ExpectAllAsync(page, "healthy", TimeSpan.FromSeconds(30));
                await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "acetrainer-system-green.png") });
            }
            finally
            {
                replacementRedis?.Kill();
                replacementRedis?.Dispose();
            }
        }
    }

    private static async Task ExpectAllAsync(IPage page, object state, TimeSpan within)
    {
        var options = new LocatorAssertionsToHaveAttributeOptions { Timeout = (float)within.TotalMilliseconds };
        foreach (var service in Services)
        {
            var card = page.Locator($".service[data-service='{service}']");
            if (state is Regex pattern) await Expect(card).ToHaveAttributeAsync("data-state", pattern, options);
            else await Expect(card).ToHaveAttributeAsync("data-state", (string)state, options);
        }
    }

    /// <summary>The AppHost logs each child's command line: "started redis (pid N): redis-server --bind ... --port P ...".</summary>
    private static string[] RedisCommandLine(string startedLine) =>
        startedLine[(startedLine.IndexOf("): ", StringComparison.Ordinal) + 3)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex("^(unhealthy|down)$")]
    private static partial Regex RedState();
}
