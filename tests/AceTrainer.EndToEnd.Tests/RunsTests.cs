using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Lora;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.TestSupport.AppHost;
using AceTrainer.TestSupport.Audio;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AceTrainer.EndToEnd.Tests;

/// <summary>
/// Training runs in Debian's chromium against the whole system started by the real AppHost: a run configured on
/// /Runs/New trains the tiny model in the TrainingService while /Runs/Detail shows it live (SignalR relayed from
/// Redis), survives a reload, and ends with a downloadable adapter; a second run, followed by polling on a page
/// without the live connection, is paused, resumed and cancelled from that page, then deleted from the list.
/// </summary>
public sealed class RunsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int MaxSteps = 40;
    private const int CheckpointEvery = 10;
    private static readonly (string Stem, double Seconds, string Prompt)[] Songs =
        [("tone_a", 3, "synthwave, female vocal"), ("tone_b", 3.5, "ambient, pads"), ("tone_c", 4, "drum and bass"), ("tone_d", 3, "lofi, piano")];
    private static readonly TimeSpan Training = TimeSpan.FromMinutes(6);
    private readonly string _work = Directory.CreateTempSubdirectory("acetrainer-e2e-runs-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Tiny_runs_are_configured_watched_live_paused_resumed_cancelled_deleted_and_an_adapter_downloaded()
    {
        var ports = TestPorts.Free();
        await using var appHost = AppHostProcess.Start(output.WriteLine, ports.Arguments());
        var audio = await Task.WhenAll(Songs.Select((s, i) => Ffmpeg.ToneAsync(Path.Combine(_work, $"{s.Stem}.wav"), s.Seconds, 220 + 110 * i)));
        await appHost.WaitForLineAsync(l => l.Contains("AceTrainer portal: "), TimeSpan.FromSeconds(120));
        var portal = $"http://127.0.0.1:{ports.Portal}";
        using var http = new HttpClient { BaseAddress = new Uri(portal) };
        var datasetId = await CreateDatasetAsync(http, audio);
        Step("system up, dataset made");

        var (playwright, browser) = await Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, AcceptDownloads = true });
            var page = await context.NewPageAsync();
            page.Console += (_, m) => output.WriteLine($"[browser {m.Type}] {m.Text}");
            page.PageError += (_, e) => output.WriteLine($"[page error] {e}");

            var first = await ConfigureAndStartAsync(page, portal, datasetId);
            Step($"run {first} started");
            await WatchLiveAndReloadAsync(page);
            Step("live points, restored after reload");

            var second = await ControlSecondRunWithoutLiveConnectionAsync(context, page, portal, first);
            Step($"run {second} followed by polling: paused, resumed, cancelled");

            await page.GotoAsync($"{portal}/Runs/Detail?id={first}");
            await Expect(page.Locator("#state")).ToHaveTextAsync("completed", new() { Timeout = (float)Training.TotalMilliseconds });
            await Expect(page.Locator("#loss-chart")).ToHaveAttributeAsync("data-points", MaxSteps.ToString(CultureInfo.InvariantCulture));
            await Expect(page.Locator("#stat-step")).ToHaveTextAsync($"{MaxSteps} / {MaxSteps}");
            // Compare with the cancelled run (its curve from its history), and the log-scale key.
            await page.SelectOptionAsync("#compare", second);
            await Expect(page.Locator("#loss-chart")).ToHaveAttributeAsync("data-comparison-points", new Regex("^[1-9][0-9]*$"));
            await page.Locator("body").PressAsync("l");
            await Expect(page.Locator("#log-scale")).ToBeCheckedAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "acetrainer-run-completed.png"), FullPage = true });
            await DownloadAdapterAsync(page);
            Step("completed, adapter downloaded");

            await page.GotoAsync($"{portal}/Runs");
            await Expect(page.Locator($"#runs tr[data-id='{first}']")).ToHaveAttributeAsync("data-state", "completed");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "acetrainer-runs.png"), FullPage = true });
            await Expect(page.Locator($"#runs tr[data-id='{second}']")).ToHaveAttributeAsync("data-state", "cancelled");
            await page.SelectOptionAsync("#filters select[name=state]", "cancelled");
            await Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(1);
            await Expect(page.Locator("#runs tbody tr")).ToHaveAttributeAsync("data-id", second);
            await page.Locator("#runs tbody tr").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await page.Locator("dialog[open]").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await Expect(page.Locator("#runs tbody tr")).ToHaveCountAsync(0);
            await Expect(page.Locator("#empty")).ToBeVisibleAsync();
            using (var gone = await http.GetAsync($"/api/runs/{second}")) Assert.Equal(System.Net.HttpStatusCode.NotFound, gone.StatusCode);
        }
    }

    /// <summary>Four tones with prompts, uploaded and labelled through the portal's dataset API.</summary>
    private static async Task<string> CreateDatasetAsync(HttpClient http, string[] audio)
    {
        using var created = await http.PostAsJsonAsync("/api/datasets", new CreateDatasetRequest("E2E runs"), JsonDefaults.Options);
        created.EnsureSuccessStatusCode();
        var dataset = (await created.Content.ReadFromJsonAsync<DatasetSummary>(JsonDefaults.Options))!;
        using var form = new MultipartFormDataContent();
        foreach (var path in audio) form.Add(new ByteArrayContent(await File.ReadAllBytesAsync(path)), "file", Path.GetFileName(path));
        using (var uploaded = await http.PostAsync($"/api/datasets/{dataset.Id}/samples", form)) uploaded.EnsureSuccessStatusCode();
        foreach (var song in Songs)
        {
            using var saved = await http.PutAsJsonAsync($"/api/datasets/{dataset.Id}/samples/{song.Stem}?force=true",
                new UpdateSampleRequest(song.Prompt, "", Instrumental: true), JsonDefaults.Options);
            saved.EnsureSuccessStatusCode();
        }
        return dataset.Id;
    }

    /// <summary>/Runs/New: a snapshot taken from the form, the Conservative preset, then shorter; Ctrl+Enter starts it.</summary>
    private static async Task<string> ConfigureAndStartAsync(IPage page, string portal, string datasetId)
    {
        await page.GotoAsync($"{portal}/Runs/New");
        await page.SelectOptionAsync("#dataset", datasetId);
        await Expect(page.Locator("#snapshot option")).ToHaveTextAsync("no snapshot yet: create one");
        await page.ClickAsync("#create-snapshot");
        await Expect(page.Locator("#snapshot option")).ToContainTextAsync($"{Songs.Length} samples", new() { Timeout = 30_000 });

        await page.ClickAsync("label[data-preset=conservative]");
        await Expect(page.Locator("input[name='lora.r']")).ToHaveValueAsync("16");
        await Expect(page.Locator("#plan")).Not.ToHaveTextAsync(new Regex("^Pick a snapshot"));
        await Expect(page.Locator("#vram .vram-bar")).ToHaveCountAsync(1);

        // The service's field errors appear beside their fields as the user types, and go when fixed.
        await page.FillAsync("input[name='lora.r']", "0");
        await Expect(page.Locator(".field-message[data-for^='lora']:not(:empty)")).ToHaveCountAsync(1);
        await page.FillAsync("input[name='lora.r']", "16");
        await Expect(page.Locator(".field-message[data-for^='lora']:not(:empty)")).ToHaveCountAsync(0);

        await page.FillAsync("input[name=name]", "e2e tiny");
        await page.FillAsync("input[name=max_steps]", "");
        await Expect(page.Locator(".field-message[data-for=max_steps]")).ToHaveTextAsync("enter a number");
        await page.FillAsync("input[name=max_steps]", MaxSteps.ToString(CultureInfo.InvariantCulture));
        await page.FillAsync("input[name=checkpoint_every]", CheckpointEvery.ToString(CultureInfo.InvariantCulture));
        // Editing a preset's value makes the settings Custom; the plan follows the new length.
        await Expect(page.Locator("input[name=preset][value=custom]")).ToBeCheckedAsync();
        await Expect(page.Locator("#plan")).ToHaveAttributeAsync("data-total-steps", MaxSteps.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator(".field-message:not(:empty)")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "acetrainer-run-new.png"), FullPage = true });

        await page.FocusAsync("input[name=seed]");
        await page.Keyboard.PressAsync("Control+Enter");
        await WaitForRunPageAsync(page);
        return new Uri(page.Url).Query.Split('=')[1];
    }

    /// <summary>The form goes to the new run's page; when it stays, the test says what the form showed.</summary>
    private static async Task WaitForRunPageAsync(IPage page)
    {
        try
        {
            await page.WaitForURLAsync(new Regex(@"/Runs/Detail\?id="), new() { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            var shown = await page.Locator("#form-errors, .field-message:not(:empty), .flash").AllTextContentsAsync();
            Assert.Fail($"the run did not start; the form shows: {string.Join(" | ", shown)}");
        }
    }

    /// <summary>Loss points and the step counter move while it trains; a reload restores the curve from the history.</summary>
    private async Task WatchLiveAndReloadAsync(IPage page)
    {
        await Expect(page.Locator("#link")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        var timeout = new PageWaitForFunctionOptions { Timeout = (float)Training.TotalMilliseconds, PollingInterval = 100 };
        // A failed run would never draw a point: stop at once and say why.
        await page.WaitForFunctionAsync("() => Number(document.querySelector('#loss-chart').dataset.points) >= 1 || document.querySelector('#state').textContent === 'failed'", null, timeout);
        Assert.True(await page.Locator("#state").TextContentAsync() != "failed", $"the run failed: {await page.Locator("#run-error").TextContentAsync()}");
        var firstCount = await PointsAsync(page);
        var firstStep = await page.Locator("#stat-step").TextContentAsync();
        await page.WaitForFunctionAsync($"() => Number(document.querySelector('#loss-chart').dataset.points) > {firstCount}", null, timeout);
        await Expect(page.Locator("#stat-step")).Not.ToHaveTextAsync(firstStep!);
        await Expect(page.Locator("#state")).ToHaveTextAsync(new Regex("training|completed"));

        var beforeReload = await PointsAsync(page);
        var midRun = await page.Locator("#state").TextContentAsync() == "training";
        await page.ReloadAsync();
        await page.WaitForFunctionAsync($"() => Number(document.querySelector('#loss-chart').dataset.points) >= {beforeReload}", null, timeout);
        output.WriteLine($"chart had {beforeReload} points before the reload ({(midRun ? "mid-run" : "after the end")}), {await PointsAsync(page)} after");
        await Expect(page.Locator("#log")).Not.ToBeEmptyAsync();
    }

    /// <summary>
    /// "Run again" copies the settings. The copy is watched from a second page whose SignalR hub is unreachable: it says
    /// so and follows the run by polling (its points can only come from GET events?after=), pauses and resumes it, and
    /// cancels it mid-training.
    /// </summary>
    private async Task<string> ControlSecondRunWithoutLiveConnectionAsync(IBrowserContext context, IPage page, string portal, string first)
    {
        await page.ClickAsync("#again");
        await page.WaitForURLAsync(new Regex(@"/Runs/New\?from="));
        await Expect(page.Locator("input[name=name]")).ToHaveValueAsync("e2e tiny (again)");
        await Expect(page.Locator("input[name=max_steps]")).ToHaveValueAsync(MaxSteps.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#snapshot option:checked")).ToHaveCountAsync(1);
        // Long enough to be still training when the cancel reaches the worker.
        await page.FillAsync("input[name=max_steps]", (10 * MaxSteps).ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#plan")).ToHaveAttributeAsync("data-total-steps", (10 * MaxSteps).ToString(CultureInfo.InvariantCulture));
        await page.ClickAsync("#submit");
        await WaitForRunPageAsync(page);
        var second = new Uri(page.Url).Query.Split('=')[1];
        Assert.NotEqual(first, second);

        var offline = await context.NewPageAsync();
        await offline.RouteAsync("**/hubs/runs**", route => route.AbortAsync());
        await offline.GotoAsync($"{portal}/Runs/Detail?id={second}");
        await Expect(offline.Locator("#link")).ToHaveAttributeAsync("data-state", "down", new() { Timeout = 15_000 });
        await Expect(offline.Locator("#link")).ToHaveTextAsync(new Regex("live connection lost, polling"));
        await Expect(offline.Locator("#state")).Not.ToHaveTextAsync("loading");
        var atLoad = await PointsAsync(offline);
        var timeout = new PageWaitForFunctionOptions { Timeout = (float)Training.TotalMilliseconds, PollingInterval = 100 };
        await offline.WaitForFunctionAsync($"() => Number(document.querySelector('#loss-chart').dataset.points) > {atLoad} || document.querySelector('#state').textContent === 'failed'", null, timeout);
        Assert.True(await offline.Locator("#state").TextContentAsync() != "failed", $"the second run failed: {await offline.Locator("#run-error").TextContentAsync()}");
        output.WriteLine($"the page without a live connection had {atLoad} points at load, then {await PointsAsync(offline)} by polling");

        // A page whose live socket drops: SignalR reconnects on a new socket, joins the run again and the points keep coming.
        var dropped = await context.NewPageAsync();
        // Every WebSocket the page opens is kept where the test can close it (as a network drop would).
        await dropped.AddInitScriptAsync("""
            const Native = window.WebSocket;
            window.__sockets = [];
            window.WebSocket = class extends Native { constructor(...args) { super(...args); window.__sockets.push(this); } };
            """);
        await dropped.GotoAsync($"{portal}/Runs/Detail?id={second}");
        await Expect(dropped.Locator("#link")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        await Expect(dropped.Locator("#state")).Not.ToHaveTextAsync("loading");
        await dropped.EvaluateAsync("() => window.__sockets.at(-1).close(4000, 'the test drops the connection')");
        await dropped.WaitForFunctionAsync("() => document.querySelector('#link').dataset.state !== 'live'", null, new() { Timeout = 10_000, PollingInterval = 20 });
        await Expect(dropped.Locator("#link")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 30_000 });
        Assert.True(await dropped.EvaluateAsync<int>("() => window.__sockets.length") >= 2, "no new hub socket after the drop");
        var atReconnect = await PointsAsync(dropped);
        await dropped.WaitForFunctionAsync($"() => Number(document.querySelector('#loss-chart').dataset.points) > {atReconnect}", null, timeout);
        output.WriteLine($"the dropped page reconnected at {atReconnect} points and kept receiving ({await PointsAsync(dropped)})");
        await dropped.CloseAsync();

        // Pause and resume: the worker saves a checkpoint and lets go; the resumed run continues from it.
        await offline.ClickAsync("#pause");
        await Expect(offline.Locator("#state")).ToHaveTextAsync("paused", new() { Timeout = 60_000 });
        await Expect(offline.Locator("#pause")).ToBeHiddenAsync();
        var atPause = await PointsAsync(offline);
        await offline.ClickAsync("#resume");
        await offline.WaitForFunctionAsync($"() => Number(document.querySelector('#loss-chart').dataset.points) > {atPause}", null, timeout);
        await Expect(offline.Locator("#state")).ToHaveTextAsync("training");
        output.WriteLine($"paused at {atPause} points, training again with {await PointsAsync(offline)}");

        await offline.ClickAsync("#cancel");
        await offline.Locator("dialog[open]").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(offline.Locator("#state")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
        await Expect(offline.Locator("#cancel")).ToBeHiddenAsync();
        await offline.CloseAsync();
        // The live page hears of it too.
        await Expect(page.Locator("#state")).ToHaveTextAsync("cancelled");
        return second;
    }

    /// <summary>The last checkpoint's adapter from the page: a safetensors file whose tensors are all LoRA A/B weights.</summary>
    private async Task DownloadAdapterAsync(IPage page)
    {
        var rows = page.Locator("#checkpoints tbody tr");
        await Expect(rows).ToHaveCountAsync(MaxSteps / CheckpointEvery);
        var download = await page.RunAndWaitForDownloadAsync(() => rows.Last.GetByRole(AriaRole.Link, new() { Name = "Adapter" }).ClickAsync());
        var path = Path.Combine(_work, "adapter.safetensors");
        await download.SaveAsAsync(path);
        Assert.EndsWith(".safetensors", download.SuggestedFilename, StringComparison.Ordinal);

        var bytes = await File.ReadAllBytesAsync(path);
        var headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var names = header.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").ToList();
        output.WriteLine($"adapter: {bytes.Length} bytes, {names.Count} tensors, e.g. {names[0]}");
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Matches(@"\.lora_[AB]\.weight$", n));
        Assert.Equal(names.Count(n => n.EndsWith("lora_A.weight", StringComparison.Ordinal)), names.Count(n => n.EndsWith("lora_B.weight", StringComparison.Ordinal)));
        var last = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").Max(p => p.Value.GetProperty("data_offsets")[1].GetInt64());
        Assert.Equal(bytes.Length, 8 + headerLength + last);

        // Loaded back with the engine onto the tiny transformer the run trained: every tensor fits, and training moved B off zero.
        using var scope = new DisposeScope();
        using var model = new AceStepTransformer(AceStepTransformerConfig.Tiny());
        var settings = LoraNetwork.Load(model, path);
        var adapter = LoraNetwork.Parameters(model);
        Assert.Equal(names.Order(StringComparer.Ordinal), adapter.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(16, settings.Rank);
        Assert.Contains(adapter, p => p.Name.EndsWith("lora_B.weight", StringComparison.Ordinal) && p.Parameter.Abs().Sum().Item() > 0);
    }

    private static async Task<int> PointsAsync(IPage page) =>
        int.Parse((await page.Locator("#loss-chart").GetAttributeAsync("data-points"))!, CultureInfo.InvariantCulture);

    private void Step(string what) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {what}");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
