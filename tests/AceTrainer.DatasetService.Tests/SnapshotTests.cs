using System.Net;
using System.Net.Http.Json;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class SnapshotTests(DatasetServiceFixture service)
{
    [Fact]
    public async Task A_snapshot_applies_the_trigger_word_and_never_changes_afterwards()
    {
        var dataset = await service.CreateDatasetAsync("frozen", "MYSTYLE");
        await service.UploadOkAsync(dataset.Id,
            UploadPart.Sample(service.Audio["sine.mp3"], "pop, piano", "words", stem: "a"),
            UploadPart.Sample(service.Audio["noise.flac"], "mystyle, rock", "", instrumental: true, stem: "b"));

        var created = await service.Http.PostAsync($"/api/datasets/{dataset.Id}/snapshots", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var snapshot = (await created.Content.ReadFromJsonAsync<DatasetSnapshot>(Json.Options))!;
        Assert.Equal($"/api/snapshots/{snapshot.Id}", created.Headers.Location?.ToString());
        Assert.Equal(["MYSTYLE, pop, piano", "mystyle, rock"], snapshot.Samples.Select(s => s.Prompt));
        // The trigger word lives only in snapshots, never in the prompts themselves.
        Assert.Equal(["pop, piano", "mystyle, rock"], (await service.SamplesAsync(dataset.Id)).Select(s => s.Prompt));
        var frozenJson = await service.Http.GetStringAsync($"/api/snapshots/{snapshot.Id}");

        // Edit everything the snapshot holds.
        await service.Http.PutAsJsonAsync($"/api/datasets/{dataset.Id}/samples/a?force=true", new UpdateSampleRequest("changed", "changed", false), Json.Options);
        await service.Http.DeleteAsync($"/api/datasets/{dataset.Id}/samples/b");
        await service.Http.PatchAsJsonAsync($"/api/datasets/{dataset.Id}", new UpdateDatasetRequest("renamed", "OTHER"), Json.Options);
        await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["sine.wav"]));
        await service.Http.PostAsJsonAsync($"/api/datasets/{dataset.Id}/prompts/apply", new PromptEditRequest(PromptOperation.Append, Text: "bulk"), Json.Options);

        Assert.Equal(frozenJson, await service.Http.GetStringAsync($"/api/snapshots/{snapshot.Id}"));
        var later = (await (await service.Http.PostAsync($"/api/datasets/{dataset.Id}/snapshots", null)).Content.ReadFromJsonAsync<DatasetSnapshot>(Json.Options))!;
        Assert.NotEqual(snapshot.Id, later.Id);
        Assert.Equal(["OTHER, changed, bulk", "OTHER, bulk"], later.Samples.Select(s => s.Prompt));
        var listed = await service.Http.GetFromJsonAsync<List<SnapshotSummary>>($"/api/datasets/{dataset.Id}/snapshots", Json.Options);
        Assert.Equal([(snapshot.Id, 2), (later.Id, 2)], listed!.Select(s => (s.Id, s.SampleCount)));
    }

    [Fact]
    public async Task Snapshot_audio_streams_even_after_the_dataset_is_deleted()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id, UploadPart.Sample(service.Audio["sine.ogg"], "p", "l"));
        var snapshot = (await (await service.Http.PostAsync($"/api/datasets/{dataset.Id}/snapshots", null)).Content.ReadFromJsonAsync<DatasetSnapshot>(Json.Options))!;
        Assert.Equal(HttpStatusCode.NoContent, (await service.Http.DeleteAsync($"/api/datasets/{dataset.Id}")).StatusCode);

        var audio = await service.Http.GetAsync($"/api/snapshots/{snapshot.Id}/samples/sine/audio");
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(service.Audio["sine.ogg"]), await audio.Content.ReadAsByteArrayAsync());
        Assert.Equal(snapshot.Samples[0].AudioSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await audio.Content.ReadAsByteArrayAsync())));
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("0123456789ab-20250101T000000000-abcdef")]
    public async Task Unknown_snapshots_are_404(string id)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/snapshots/{id}")).StatusCode);
    }
}
