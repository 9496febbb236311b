using System.Net;
using System.Net.Http.Json;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class SampleEditTests(DatasetServiceFixture service)
{
    [Fact]
    public async Task A_stale_save_gets_409_with_the_current_version_and_can_then_overwrite()
    {
        var (dataset, loaded) = await OneSampleAsync();
        var alice = await SaveAsync(dataset, loaded.Version, new UpdateSampleRequest("alice, rock", "alice words", false));
        Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        var saved = (await alice.Content.ReadFromJsonAsync<SampleResponse>(Json.Options))!;
        Assert.Equal(saved.Version, alice.Headers.ETag?.ToString());
        Assert.NotEqual(loaded.Version, saved.Version);

        // Bob loaded the same version as Alice; his save must not silently replace hers.
        var bob = await SaveAsync(dataset, loaded.Version, new UpdateSampleRequest("bob, jazz", "bob words", false));
        var conflict = await ProblemBody.ReadAsync(bob, HttpStatusCode.Conflict);
        var current = conflict.Get<SampleResponse>("current");
        Assert.Equal((saved.Version, "alice, rock", "alice words"), (current.Version, current.Prompt, current.Lyrics));
        Assert.Equal("alice, rock", (await service.SampleAsync(dataset, "sine")).Prompt);

        // Bob decides to overwrite, with the version the conflict told him.
        var deliberate = await SaveAsync(dataset, current.Version, new UpdateSampleRequest("bob, jazz", "bob words", true));
        Assert.Equal(HttpStatusCode.OK, deliberate.StatusCode);
        var final = await service.SampleAsync(dataset, "sine");
        Assert.Equal(("bob, jazz", "bob words", true), (final.Prompt, final.Lyrics, final.Instrumental));
    }

    [Fact]
    public async Task Force_overwrites_whatever_version_is_current()
    {
        var (dataset, loaded) = await OneSampleAsync();
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(dataset, loaded.Version, new UpdateSampleRequest("first", "x", false))).StatusCode);
        var forced = await service.Http.PutAsJsonAsync($"/api/datasets/{dataset}/samples/sine?force=true",
            new UpdateSampleRequest("forced", "y", false), Json.Options);
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        var sample = await service.SampleAsync(dataset, "sine");
        Assert.Equal(("forced", "y"), (sample.Prompt, sample.Lyrics));
        // The audio facts are kept by an edit.
        Assert.Equal(loaded.Facts, sample.Facts);
    }

    [Fact]
    public async Task Two_clients_saving_the_same_version_at_once_one_wins_one_gets_409()
    {
        var (dataset, loaded) = await OneSampleAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(i =>
            SaveAsync(dataset, loaded.Version, new UpdateSampleRequest($"client {i}", "words", false))));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        var winner = responses.Single(r => r.IsSuccessStatusCode);
        var loser = await ProblemBody.ReadAsync(responses.Single(r => !r.IsSuccessStatusCode), HttpStatusCode.Conflict);
        var saved = (await winner.Content.ReadFromJsonAsync<SampleResponse>(Json.Options))!;
        Assert.Equal(saved.Prompt, loser.Get<SampleResponse>("current").Prompt);
        Assert.Equal(saved.Version, (await service.SampleAsync(dataset, "sine")).Version);
    }

    [Fact]
    public async Task A_save_without_a_version_or_force_gets_428()
    {
        var (dataset, _) = await OneSampleAsync();
        var response = await service.Http.PutAsJsonAsync($"/api/datasets/{dataset}/samples/sine", new UpdateSampleRequest("p", "l", false), Json.Options);
        await ProblemBody.ReadAsync(response, HttpStatusCode.PreconditionRequired);
    }

    [Fact]
    public async Task Delete_honours_if_match()
    {
        var (dataset, loaded) = await OneSampleAsync();
        await SaveAsync(dataset, loaded.Version, new UpdateSampleRequest("changed", "l", false));
        using var stale = new HttpRequestMessage(HttpMethod.Delete, $"/api/datasets/{dataset}/samples/sine");
        stale.Headers.TryAddWithoutValidation("If-Match", loaded.Version);
        var conflict = await ProblemBody.ReadAsync(await service.Http.SendAsync(stale), HttpStatusCode.Conflict);
        Assert.Equal("changed", conflict.Get<SampleResponse>("current").Prompt);

        Assert.Equal(HttpStatusCode.NoContent, (await service.Http.DeleteAsync($"/api/datasets/{dataset}/samples/sine")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/datasets/{dataset}/samples/sine")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.DeleteAsync($"/api/datasets/{dataset}/samples/sine")).StatusCode);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("bad.stem")]
    public async Task Unknown_or_invalid_stems_are_404(string stem)
    {
        var (dataset, _) = await OneSampleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await service.Http.GetAsync($"/api/datasets/{dataset}/samples/{stem}")).StatusCode);
        var save = await service.Http.PutAsJsonAsync($"/api/datasets/{dataset}/samples/{stem}?force=true", new UpdateSampleRequest("p", "l", false), Json.Options);
        Assert.Equal(HttpStatusCode.NotFound, save.StatusCode);
    }

    private async Task<(string DatasetId, SampleResponse Sample)> OneSampleAsync()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id, UploadPart.Sample(service.Audio["sine.wav"], "pop", "la"));
        var response = await service.Http.GetAsync($"/api/datasets/{dataset.Id}/samples/sine");
        var sample = (await response.Content.ReadFromJsonAsync<SampleResponse>(Json.Options))!;
        Assert.Equal(sample.Version, response.Headers.ETag?.ToString());
        return (dataset.Id, sample);
    }

    private async Task<HttpResponseMessage> SaveAsync(string datasetId, string version, UpdateSampleRequest edit)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/datasets/{datasetId}/samples/sine")
        {
            Content = JsonContent.Create(edit, options: Json.Options),
        };
        request.Headers.TryAddWithoutValidation("If-Match", version);
        return await service.Http.SendAsync(request);
    }
}
