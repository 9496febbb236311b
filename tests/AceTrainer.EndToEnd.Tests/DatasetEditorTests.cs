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
        var audio = await Task.WhenAll(Tones.Select((t, i) => Ffmpeg.ToneAsync(Path.Combine(_work, $"{t.Name}.mp3"), t.Seconds, 330 + 110 * i)));
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
            var broken = Path.Combine(_work, "broken.mp3");
            await File.WriteAllTextAsync(broken, "this is not audio");
            await UploadAsync(page, audio, broken);
            Step("created and uploaded");

            await LabelWithKeyboardAsync(page);
            await SaveConflictAsync(page, http, original);
            await BulkEditAsync(page);
            Step("labelled with the keyboard, conflict resolved, bulk edits");
            var labelled = await SamplesAsync(http, original);
            Assert.Equal(["lofi, synthwave, female vocal", "lofi, ambient, pads, airy", "lofi, drum and bass"], labelled.Select(s => s.Prompt));
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

            await page.GotoAsync($"{portal}/Datasets/{original}");
            await FreezeSnapshotAsync(page, http, "E2ETRIG");
            await DeleteFromListAsync(page, portal, "E2E copy", remaining: "E2E original");
            Step("snapshot, delete");

            await UploadIsStreamedThroughThePortalAsync(http, appHost.ChildPids["webfrontend"], original);
            Step("300 MB upload streamed");

            ProcessTable.Signal(appHost.ChildPids["datasetservice"], ProcessTable.SigKill);
            await AssertOutageIsReportedAsync(page, http, portal);
            Step("outage reported");
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

    private static async Task UploadAsync(IPage page, string[] files, string broken)
    {
        await page.SetInputFilesAsync("#upload-input", [.. files, broken]);
        await Expect(page.Locator(".upload[data-state=done]")).ToHaveCountAsync(files.Length, new() { Timeout = 30_000 });
        var failed = page.Locator(".upload[data-state=error]");
        await Expect(failed).ToHaveCountAsync(1);
        await Expect(failed.Locator(".upload-message")).ToContainTextAsync("'broken.mp3' was rejected");
        await Expect(page.Locator(".sample-item")).ToHaveCountAsync(files.Length);
        // Fresh samples have neither prompt nor lyrics: each is flagged.
        await Expect(page.Locator(".sample-item .severity.error")).ToHaveCountAsync(files.Length);
        // Whichever upload finished first was selected; start from the top.
        await page.ClickAsync(".sample-item[data-stem=song_a]");
        await Expect(page.Locator("#stem")).ToHaveTextAsync("song_a");
        await Expect(page.Locator("#waveform")).ToHaveAttributeAsync("data-state", "drawn");
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
    }

    /// <summary>Someone else saves the open sample; saving ours shows both versions and overwrites on request.</summary>
    private static async Task SaveConflictAsync(IPage page, HttpClient http, string datasetId)
    {
        await Expect(page.Locator("#stem")).ToHaveTextAsync("song_b");
        using (var elsewhere = await http.PutAsJsonAsync($"/api/datasets/{datasetId}/samples/song_b?force=true",
            new UpdateSampleRequest("ambient, strings", "", true), JsonDefaults.Options))
        {
            elsewhere.EnsureSuccessStatusCode();
        }
        await page.FocusAsync("#prompt");
        await page.Keyboard.PressAsync("End");
        await page.Keyboard.TypeAsync(", airy");
        await page.Keyboard.PressAsync("Control+s");
        var dialog = page.Locator("dialog[open]");
        await Expect(dialog).ToContainTextAsync("ambient, strings");
        await Expect(dialog).ToContainTextAsync("ambient, pads, airy");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Overwrite with mine" }).ClickAsync();
        await Expect(page.Locator("#save-state")).ToHaveAttributeAsync("data-state", "saved");
        await Expect(dialog).ToHaveCountAsync(0);
    }

    private static async Task BulkEditAsync(IPage page)
    {
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
        await Expect(page.Locator("#bulk-changes .after")).ToHaveTextAsync("lofi, ambient, strings, airy");
        await page.ClickAsync("#bulk-undo");
        await Expect(page.Locator("#bulk-changes .after")).ToHaveTextAsync("lofi, ambient, pads, airy");
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

    private static async Task FreezeSnapshotAsync(IPage page, HttpClient http, string triggerWord)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = "Snapshots" }).ClickAsync();
        await Expect(page.Locator("#no-snapshots")).ToBeVisibleAsync();
        await page.ClickAsync("#freeze");
        var row = page.Locator("#snapshot-table tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("td.num")).ToHaveTextAsync(Tones.Length.ToString());
        var snapshot = await http.GetFromJsonAsync<DatasetSnapshot>($"/api/snapshots/{await row.Locator("code").TextContentAsync()}", JsonDefaults.Options);
        Assert.All(snapshot!.Samples, s => Assert.StartsWith(triggerWord, s.Prompt, StringComparison.Ordinal));
    }

    private static async Task DeleteFromListAsync(IPage page, string portal, string name, string remaining)
    {
        await page.GotoAsync($"{portal}/Datasets");
        var rows = page.Locator("#datasets tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Locator(".sample-count")).ToHaveTextAsync(["3", "3"]);
        await rows.Filter(new() { HasText = name }).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await page.Locator("dialog[open]").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.Locator(".dataset-name")).ToHaveTextAsync(remaining);
    }

    /// <summary>
    /// 300 MB of not-audio through the portal: the DatasetService refuses it after staging, and the portal's peak memory
    /// shows that neither the request nor the response was buffered on the way.
    /// </summary>
    private async Task UploadIsStreamedThroughThePortalAsync(HttpClient http, int portalPid, string datasetId)
    {
        const long size = 300L * 1024 * 1024;
        var path = Path.Combine(_work, "zeros.wav");
        await using (var file = File.Create(path))
        {
            file.SetLength(size);
        }
        var peakBefore = PeakResidentBytes(portalPid);
        using var form = new MultipartFormDataContent { { new StreamContent(File.OpenRead(path)), "file", "zeros.wav" } };
        using var response = await http.PostAsync($"/api/datasets/{datasetId}/samples", form);
        var problem = await response.Content.ReadFromJsonAsync<Problem>(JsonDefaults.Options);
        Assert.Equal(422, (int)response.StatusCode);
        Assert.Contains("zeros.wav", problem!.Detail);
        var growth = PeakResidentBytes(portalPid) - peakBefore;
        output.WriteLine($"portal peak memory grew {growth / 1024 / 1024} MB for a {size / 1024 / 1024} MB upload");
        Assert.True(growth < 64 * 1024 * 1024, $"the portal's peak memory grew {growth / 1024 / 1024} MB: the upload was buffered");
    }

    /// <summary>The first request may die on a kept-alive connection (502); once connections are refused it is 503.</summary>
    private static async Task AssertOutageIsReportedAsync(IPage page, HttpClient http, string portal)
    {
        using (var first = await http.GetAsync("/api/datasets"))
        {
            Assert.Contains((int)first.StatusCode, new[] { 502, 503 });
            Assert.Equal("application/problem+json", first.Content.Headers.ContentType?.MediaType);
        }
        await page.GotoAsync($"{portal}/Datasets");
        await Expect(page.Locator(".flash.error")).ToContainTextAsync("datasetservice");
        using var response = await http.GetAsync("/api/datasets");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Problem>(JsonDefaults.Options);
        Assert.Equal("datasetservice is unavailable", problem!.Title);
        Assert.Equal(503, problem.Status);
    }

    /// <summary>VmHWM: the most memory the process has had resident since it started.</summary>
    private static long PeakResidentBytes(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    private static async Task<IReadOnlyList<SampleResponse>> SamplesAsync(HttpClient http, string datasetId) =>
        [.. (await http.GetFromJsonAsync<List<SampleResponse>>($"/api/datasets/{datasetId}/samples", JsonDefaults.Options))!
            .OrderBy(s => s.Stem, StringComparer.Ordinal)];

    private void Step(string what) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,5:0.0} s] {what}");

    private sealed record Problem(string? Title, string? Detail, int? Status);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }
}
