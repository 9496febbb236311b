using System.Net;
using System.Net.Http.Json;
using AceTrainer.DatasetService.Storage;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;
using AceTrainer.ServiceDefaults.Redis;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class DatasetCrudTests(DatasetServiceFixture service)
{
    [Fact]
    public async Task Create_rename_set_trigger_and_delete()
    {
        var created = await service.CreateDatasetAsync("  my set ", "MYSTYLE");
        Assert.Equal("my set", created.Name);
        Assert.Equal("MYSTYLE", created.TriggerWord);

        var renamed = await service.Http.PatchAsJsonAsync($"/api/datasets/{created.Id}", new UpdateDatasetRequest(Name: "renamed"), Json.Options);
        var summary = await renamed.Content.ReadFromJsonAsync<DatasetSummary>(Json.Options);
        Assert.Equal(("renamed", "MYSTYLE"), (summary!.Name, summary.TriggerWord));
        var triggered = await service.Http.PatchAsJsonAsync($"/api/datasets/{created.Id}", new UpdateDatasetRequest(TriggerWord: "OTHER"), Json.Options);
        Assert.Equal("OTHER", (await triggered.Content.ReadFromJsonAsync<DatasetSummary>(Json.Options))!.TriggerWord);

        Assert.Equal(HttpStatusCode.NoContent, (await service.Http.DeleteAsync($"/api/datasets/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/datasets/{created.Id}")).StatusCode);
        Assert.DoesNotContain(await service.AllBlobNamesAsync(), n => n.StartsWith(BlobLayout.DatasetPrefix(created.Id)));
        var list = await service.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", Json.Options);
        Assert.DoesNotContain(list!, d => d.Id == created.Id);
    }

    [Fact]
    public async Task Empty_name_is_a_bad_request()
    {
        var response = await service.Http.PostAsJsonAsync("/api/datasets", new CreateDatasetRequest(" "), Json.Options);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task List_shows_sample_count_and_total_duration_and_survives_losing_redis()
    {
        var dataset = await service.CreateDatasetAsync("counted");
        await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["sine.wav"]), new UploadPart(service.Audio["ten.wav"]));

        var listed = await ListedAsync(dataset.Id);
        Assert.Equal(2, listed.SampleCount);
        Assert.Equal(14, listed.TotalDurationSeconds, 1);
        Assert.NotNull(await service.Redis.GetAsync(SummaryCache.Key(dataset.Id)));

        // Redis is only a cache: wiping it loses nothing.
        await service.Redis.ExecuteAsync("FLUSHALL", []);
        Assert.Equal((2, 14.0), ((await ListedAsync(dataset.Id)).SampleCount, Math.Round((await ListedAsync(dataset.Id)).TotalDurationSeconds)));

        // A write drops the cached summary, so the count is never stale.
        await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["sine.mp3"]));
        Assert.Equal(3, (await ListedAsync(dataset.Id)).SampleCount);
    }

    private async Task<DatasetSummary> ListedAsync(string id) =>
        (await service.Http.GetFromJsonAsync<List<DatasetSummary>>("/api/datasets", Json.Options))!.Single(d => d.Id == id);
}
