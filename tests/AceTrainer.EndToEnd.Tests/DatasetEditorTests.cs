using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.TestSupport.AppHost;
using AceTrainer.TestSupport.Audio;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace AceTrainer.EndToEnd.Tests;

/// <summary>
/// The dataset editor in Debian's chromium against the whole system started by the real AppHost: every call goes
/// browser -> portal proxy -> DatasetService -> Azurite, with audio made by ffmpeg.
/// </summary>
public sealed class DatasetEditorTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly (string Name, double Seconds)[] Tones = [("song_a", 4), ("song_b", 6.5), ("song_c", 9)];
    private readonly string _work = Directory.CreateTempSubdirectory("acetrainer-e2e-datasets-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Dataset_is_built_in_the_browser_exported_and_reimported_unchanged()
    {
        var ports = TestPorts.Free();
        await using var appHost = AppHostProcess.Start(output.WriteLine, ports.Arguments());
        var audio = await Task.WhenAll(Tones.Select((t, i) => GeneratedAudio.ToneAsync(Path.Combine(_work, $"{t.Name}.mp3"), t.Seconds, 330 + 110 * i)));
        await appHost.WaitForLineAsync(l => l.Contains("AceTrainer portal: "), TimeSpan.FromSeconds(120));
        Step("system up");
        var portal = $"http://127.0.0.1:{ports.Portal}";
        using var http = new HttpClient { BaseAddress = new Uri(portal) };

        var (playwright, browser) = await Chromium.LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, AcceptDownloads = true });
            var page = await context.NewPageAsync();
            var rangedAudio = 0;
            page.Response += (_, r) =>
            {
                if (r.Url.EndsWith("/audio", StringComparison.Ordinal) && r.Status == 206) Interlocked.Increment(ref rangedAudio);
            };

            var original = await CreateDatasetAsync(page, portal, "E2E original", "E2ETRIG");
            await UploadAsync(page, audio);
            Step("created and uploaded");

            await LabelWithKeyboardAsync(page);
            Step("labelled with the keyboard");
            var labelled = await SamplesAsync(http, original);
            Assert.Equal(["lofi, synthwave, female vocal", "lofi, ambient, pads", "lofi, drum and bass"], labelled.Select(s => s.Prompt));
            Assert.Equal(["la la la\nsecond line", "", "oh oh"], labelled.Select(s => s.Lyrics));
            Assert.Equal([false, true, false], labelled.Select(s => s.Instrumental));
            Assert.True(rangedAudio > 0, "the player should stream audio through the portal with range requests (206)");

            await CheckValidationAsync(page, valid: 3);
            var zip = await ExportAsync(page);
            Step("validated and exported");

            var copy = await ImportIntoNewDatasetAsync(page, zip, "E2E copy");
            Step("re-imported");

            var reimported = await SamplesAsync(http, copy);
            Assert.Equal(labelled.Select(s => s.Stem), reimported.Select(s => s.Stem));
            Assert.Equal(labelled.Select(s => s.Prompt), reimported.Select(s => s.Prompt));
            Assert.Equal(labelled.Select(s => s.Lyrics), reimported.Select(s => s.Lyrics));
            Assert.Equal(labelled.Select(s => s.Instrumental), reimported.Select(s => s.Instrumental));
            Assert.Equal(labelled.Select(s => s.AudioSha256), reimported.Select(s => s.AudioSha256));
            foreach (var (before, after) in labelled.Zip(reimported))
            {
                Assert.Equal(before.Facts.DurationSeconds, after.Facts.DurationSeconds, 0.01);
            }
            Assert.Equal(Tones.Select(t => t.Seconds), labelled.Select(s => Math.Round(s.Facts.DurationSeconds * 2) / 2));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "acetrainer-dataset-copy.png"), FullPage = true });
        }
    }

    private static async Task<string> CreateDatasetAsync(IPage page, string portal, string name, string triggerWord)
    {
        await page.GotoAsync($"{portal}/Datasets");
        await page.FillAsync("#create input[name=name]", name);
        await page.FillAsync("#create input[name=triggerWord]", triggerWord);
        await page.ClickAsync("#create button[type=submit]");
        await page.WaitForURLAsync(new Regex("/Datasets/[^/]+$"));
        await Expect(page.Locator("#dataset-name")).ToHaveTextAsync(name);
        await Expect(page.Locator("#trigger-word")).ToHaveValueAsync(triggerWord);
        return page.Url[(page.Url.LastIndexOf('/') + 1)..];
    }

    private static async Task UploadAsync(IPage page, string[] files)
    {
        await page.SetInputFilesAsync("#upload-input", files);
        await Expect(page.Locator(".upload[data-state=done]")).ToHaveCountAsync(files.Length, new() { Timeout = 30_000 });
        await Expect(page.Locator(".sample-item")).ToHaveCountAsync(files.Length);
        // Fresh samples have neither prompt nor lyrics: each is flagged.
        await Expect(page.Locator(".sample-item .severity.error")).ToHaveCountAsync(files.Length);
        await Expect(page.Locator("#stem")).ToHaveTextAsync("song_a");
    }

    private static async Task LabelWithKeyboardAsync(IPage page)
    {
        var state = page.Locator("#save-state");
        var stem = page.Locator("#stem");

        await page.FocusAsync("#prompt");
        await page.Keyboard.TypeAsync("synthwave, female vocal");
        await Expect(state).ToHaveAttributeAsync("data-state", "dirty");
        await Expect(page.Locator("#chips .chip")).ToHaveCountAsync(2);
        // Arrows inside a text field move the caret, not the selection.
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(stem).ToHaveTextAsync("song_a");
        await page.FocusAsync("#lyrics");
        await page.Keyboard.TypeAsync("la la la");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync("second line");
        await page.Keyboard.PressAsync("Control+s");
        await Expect(state).ToHaveAttributeAsync("data-state", "saved");
        await Expect(page.Locator(".sample-item[data-stem=song_a] .severity")).ToHaveTextAsync("ok");

        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(stem).ToHaveTextAsync("song_b");
        await page.FocusAsync("#prompt");
        await page.Keyboard.TypeAsync("ambient, pads");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("#instrumental")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator("#lyrics")).ToBeDisabledAsync();
        // Moving on saves the edits first.
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(stem).ToHaveTextAsync("song_c");
        await Expect(page.Locator(".sample-item[data-stem=song_b] .severity")).ToHaveTextAsync("ok");

        await page.FocusAsync("#prompt");
        await page.Keyboard.TypeAsync("drum and bass");
        await page.FocusAsync("#lyrics");
        await page.Keyboard.TypeAsync("oh oh");
        await page.Keyboard.PressAsync("Control+s");
        await Expect(state).ToHaveAttributeAsync("data-state", "saved");
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(stem).ToHaveTextAsync("song_b");
        await Expect(page.Locator("#prompt")).ToHaveValueAsync("ambient, pads");
        await Expect(page.Locator(".sample-item .severity.ok")).ToHaveCountAsync(3);

        await page.GetByRole(AriaRole.Tab, new() { Name = "Bulk prompts" }).ClickAsync();
        await page.SelectOptionAsync("#bulk-operation", "Prepend");
        await page.FillAsync("#bulk-text", "lofi");
        await Expect(page.Locator("#bulk-preview-count")).ToHaveTextAsync("3 prompts would change");
        await page.ClickAsync("#bulk-apply");
        await Expect(page.Locator("#bulk-preview-count")).ToHaveTextAsync("3 changed");

        // A whole-tag replace that matches one prompt, applied and undone.
        await page.SelectOptionAsync("#bulk-operation", "Replace");
        await page.FillAsync("#bulk-find", "PADS");
        await page.FillAsync("#bulk-replace", "strings");
        await Expect(page.Locator("#bulk-preview-count")).ToHaveTextAsync("0 prompts would change");
        await page.CheckAsync("#bulk-whole-tag");
        await Expect(page.Locator("#bulk-preview-count")).ToHaveTextAsync("1 prompt would change");
        await page.ClickAsync("#bulk-apply");
        await Expect(page.Locator("#bulk-changes .after")).ToHaveTextAsync("lofi, ambient, strings");
        await page.ClickAsync("#bulk-undo");
        await Expect(page.Locator("#bulk-changes .after")).ToHaveTextAsync("lofi, ambient, pads");
    }

    private static async Task CheckValidationAsync(IPage page, int valid)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "Validation & stats" }).ClickAsync();
        await Expect(page.Locator("#stats")).ToHaveAttributeAsync("data-valid", valid.ToString());
        await Expect(page.Locator("#stats")).ToHaveAttributeAsync("data-invalid", "0");
        await Expect(page.Locator("#duration-chart canvas")).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "acetrainer-dataset-report.png") });
    }

    private async Task<string> ExportAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "Import / export" }).ClickAsync();
        await page.CheckAsync("input[name=layout][value=SimpleTuner]");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-link"));
        var path = Path.Combine(_work, "export.zip");
        await download.SaveAsAsync(path);
        using var archive = ZipFile.OpenRead(path);
        Assert.Equal(
            Tones.SelectMany(t => new[] { $"{t.Name}.lyrics", $"{t.Name}.mp3", $"{t.Name}.txt" }).Order(StringComparer.Ordinal),
            archive.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        return path;
    }

    private static async Task<string> ImportIntoNewDatasetAsync(IPage page, string zip, string name)
    {
        await page.CheckAsync("input[name=import-target][value=new]");
        await page.FillAsync("#import-new-name", name);
        await page.SetInputFilesAsync("#import-input", zip);
        await Expect(page.Locator(".import-summary")).ToContainTextAsync("3 audio files imported, 6 text files used, 0 skipped", new() { Timeout = 30_000 });
        await Expect(page.Locator("#import-table tbody tr")).ToHaveCountAsync(9);
        await page.ClickAsync("#import-target-link");
        await Expect(page.Locator("#dataset-name")).ToHaveTextAsync(name);
        await Expect(page.Locator(".sample-item")).ToHaveCountAsync(Tones.Length);
        await Expect(page.Locator(".sample-item .severity.ok")).ToHaveCountAsync(Tones.Length);
        return page.Url[(page.Url.LastIndexOf('/') + 1)..];
    }

    private static async Task<IReadOnlyList<SampleResponse>> SamplesAsync(HttpClient http, string datasetId) =>
        [.. (await http.GetFromJsonAsync<List<SampleResponse>>($"/api/datasets/{datasetId}/samples", JsonDefaults.Options))!
            .OrderBy(s => s.Stem, StringComparer.Ordinal)];

    private void Step(string what) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {what}");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
