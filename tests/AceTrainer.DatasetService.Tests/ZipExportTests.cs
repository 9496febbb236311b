using System.Net;
using System.Net.Http.Json;
using System.Text;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class ZipExportTests(DatasetServiceFixture service)
{
    [Theory]
    [InlineData("upstream", new[] { "song.mp3", "song_prompt.txt", "song_lyrics.txt", "noise.flac", "noise_prompt.txt", "noise_lyrics.txt" })]
    [InlineData("simpletuner", new[] { "song.mp3", "song.txt", "song.lyrics", "noise.flac", "noise.txt", "noise.lyrics" })]
    public async Task Export_streams_the_layout_and_reimport_gives_an_equal_dataset(string layout, string[] someEntries)
    {
        var original = await service.CreateDatasetAsync("exported");
        await service.UploadOkAsync(original.Id,
            UploadPart.Sample(service.Audio["sine.mp3"], "pop, piano", "[verse]\nhéllo 世界\nline two", stem: "song"),
            UploadPart.Sample(service.Audio["noise.flac"], "noise, ambient", "", instrumental: true),
            UploadPart.Sample(service.Audio["mono.wav"], "", "", stem: "unlabelled"));

        var response = await service.Http.GetAsync($"/api/datasets/{original.Id}/export?layout={layout}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        // Streamed as it is written, not buffered to learn its length first.
        Assert.Null(response.Content.Headers.ContentLength);
        var zip = await response.Content.ReadAsByteArrayAsync();

        var entries = TestZip.Read(zip);
        Assert.Superset(someEntries.ToHashSet(), entries.Keys.ToHashSet());
        Assert.Equal(await File.ReadAllBytesAsync(service.Audio["noise.flac"]), entries["noise.flac"]);
        Assert.Equal("[instrumental]", Encoding.UTF8.GetString(entries[someEntries[5]]));

        var copy = await service.CreateDatasetAsync("reimported");
        var report = await service.ImportOkAsync(copy.Id, zip);
        Assert.Empty(report.Skipped);
        Assert.Equal(Comparable(await service.SamplesAsync(original.Id)), Comparable(await service.SamplesAsync(copy.Id)));
    }

    [Fact]
    public async Task Unknown_layout_is_400_and_missing_dataset_is_404()
    {
        var dataset = await service.CreateDatasetAsync();
        var problem = await ProblemBody.ReadAsync(await service.Http.GetAsync($"/api/datasets/{dataset.Id}/export?layout=kohya"), HttpStatusCode.BadRequest);
        Assert.Contains("upstream, simpletuner", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync("/api/datasets/0123456789ab/export")).StatusCode);
    }

    private static List<object> Comparable(IReadOnlyList<SampleResponse> samples) =>
        samples.Select(s => (object)new { s.Stem, s.Prompt, s.Lyrics, s.Instrumental, s.AudioSha256, s.AudioBytes, s.Facts, Issues = string.Join(",", s.Issues.Select(i => i.Code)) }).ToList();
}
