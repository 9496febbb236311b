using System.Net;
using System.Net.Http.Json;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class PromptEditTests(DatasetServiceFixture service)
{
    private static readonly string[] StartPrompts = ["pop, piano", "rock, piano solo", "Piano, jazz", "ambient"];

    [Fact]
    public async Task Preview_counts_the_changes_and_changes_nothing()
    {
        var dataset = await DatasetAsync();
        var preview = await PreviewAsync(dataset, new PromptEditRequest(PromptOperation.Prepend, Text: "lofi"));
        Assert.Equal(4, preview.ChangedCount);
        Assert.Equal("lofi, pop, piano", preview.Changes.Single(c => c.Stem == "s0").After);
        Assert.Equal(StartPrompts, await PromptsAsync(dataset));
    }

    [Theory]
    [InlineData(PromptOperation.Prepend, "lofi, pop", null, null, false, new[] { "lofi, pop, piano", "lofi, pop, rock, piano solo", "lofi, pop, Piano, jazz", "lofi, pop, ambient" })]
    [InlineData(PromptOperation.Append, "piano", null, null, false, new[] { "pop, piano", "rock, piano solo, piano", "Piano, jazz", "ambient, piano" })]
    [InlineData(PromptOperation.Replace, null, "piano", "keys", false, new[] { "pop, keys", "rock, keys solo", "Piano, jazz", "ambient" })]
    [InlineData(PromptOperation.Replace, null, "piano", "keys", true, new[] { "pop, keys", "rock, piano solo", "keys, jazz", "ambient" })]
    [InlineData(PromptOperation.Replace, null, "piano", "", true, new[] { "pop", "rock, piano solo", "jazz", "ambient" })]
    public async Task Apply_edits_every_prompt(PromptOperation operation, string? text, string? find, string? replaceWith, bool wholeTag, string[] expected)
    {
        var dataset = await DatasetAsync();
        var request = new PromptEditRequest(operation, text, find, replaceWith, wholeTag);
        var preview = await PreviewAsync(dataset, request);
        var result = await ApplyAsync(dataset, request);
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        var applied = (await result.Content.ReadFromJsonAsync<PromptEditResult>(Json.Options))!;
        Assert.Equal(expected, await PromptsAsync(dataset));
        Assert.Equal(expected.Zip(StartPrompts).Count(p => p.First != p.Second), applied.ChangedCount);
        Assert.Equal(preview.Changes, applied.Changes);
        Assert.True(applied.UndoAvailable);
    }

    [Fact]
    public async Task Undo_restores_once()
    {
        var dataset = await DatasetAsync();
        await ApplyAsync(dataset, new PromptEditRequest(PromptOperation.Append, Text: "vinyl"));
        var status = await service.Http.GetFromJsonAsync<PromptUndoStatus>($"/api/datasets/{dataset}/prompts/undo", Json.Options);
        Assert.Equal((true, 4), (status!.Available, status.ChangedCount));

        var undo = await service.Http.PostAsync($"/api/datasets/{dataset}/prompts/undo", null);
        Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
        Assert.Equal(StartPrompts, await PromptsAsync(dataset));
        Assert.False((await service.Http.GetFromJsonAsync<PromptUndoStatus>($"/api/datasets/{dataset}/prompts/undo", Json.Options))!.Available);
        await ProblemBody.ReadAsync(await service.Http.PostAsync($"/api/datasets/{dataset}/prompts/undo", null), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Undo_refuses_when_a_sample_was_edited_since_and_changes_nothing()
    {
        var dataset = await DatasetAsync();
        await ApplyAsync(dataset, new PromptEditRequest(PromptOperation.Append, Text: "vinyl"));
        await ForceSaveAsync(dataset, "s2", "hand edited");
        var before = await PromptsAsync(dataset);

        var problem = await ProblemBody.ReadAsync(await service.Http.PostAsync($"/api/datasets/{dataset}/prompts/undo", null), HttpStatusCode.Conflict);
        Assert.Equal("s2", problem.GetProperty("stem").GetString());
        Assert.Equal(before, await PromptsAsync(dataset));
        // The undo is still there for when the user has sorted it out.
        Assert.True((await service.Http.GetFromJsonAsync<PromptUndoStatus>($"/api/datasets/{dataset}/prompts/undo", Json.Options))!.Available);
    }

    [Fact]
    public async Task Apply_with_an_outdated_preview_token_gets_409_with_the_new_preview_and_changes_nothing()
    {
        var dataset = await DatasetAsync();
        var request = new PromptEditRequest(PromptOperation.Prepend, Text: "lofi");
        var preview = await PreviewAsync(dataset, request);
        Assert.NotEmpty(preview.PreviewToken);
        await ForceSaveAsync(dataset, "s3", "edited meanwhile");
        var before = await PromptsAsync(dataset);

        var response = await ApplyAsync(dataset, request with { PreviewToken = preview.PreviewToken });
        var problem = await ProblemBody.ReadAsync(response, HttpStatusCode.Conflict);
        var fresh = problem.Get<PromptEditPreview>("preview");
        Assert.Equal("lofi, edited meanwhile", fresh.Changes.Single(c => c.Stem == "s3").After);
        Assert.Equal(before, await PromptsAsync(dataset));

        Assert.Equal(HttpStatusCode.OK, (await ApplyAsync(dataset, request with { PreviewToken = fresh.PreviewToken })).StatusCode);
        Assert.All(await PromptsAsync(dataset), p => Assert.StartsWith("lofi, ", p));
    }

    [Fact]
    public async Task A_sample_saved_during_apply_rolls_the_whole_edit_back()
    {
        var dataset = await service.CreateDatasetAsync();
        var parts = Enumerable.Range(0, 12).Select(i => UploadPart.Sample(service.Audio["sine.mp3"], $"tag{i}", "la", stem: $"s{i:00}")).ToArray();
        await service.UploadOkAsync(dataset.Id, parts);
        // Another client keeps saving the last sample (written last by the batch) while edits are applied.
        using var stop = new CancellationTokenSource();
        var saves = 0;
        var saver = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await ForceSaveAsync(dataset.Id, "s11", $"other client {++saves}");
            }
        });
        var conflicts = 0;
        for (var attempt = 0; attempt < 10 && conflicts == 0; attempt++)
        {
            var before = await PromptsAsync(dataset.Id);
            var response = await ApplyAsync(dataset.Id, new PromptEditRequest(PromptOperation.Append, Text: $"edit{attempt}"));
            var after = await PromptsAsync(dataset.Id);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                conflicts++;
                var problem = await ProblemBody.ReadAsync(response, HttpStatusCode.Conflict);
                Assert.Equal("s11", problem.GetProperty("stem").GetString());
                Assert.Empty(problem.Get<string[]>("notRestored"));
                // All or none: the eleven samples the batch had already written are back as they were.
                Assert.Equal(before[..11], after[..11]);
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.All(after[..11], p => Assert.EndsWith($"edit{attempt}", p));
            }
        }
        await stop.CancelAsync();
        await saver;
        Assert.Equal(1, conflicts);
    }

    [Theory]
    [InlineData("""{"operation":"prepend","text":" , "}""")]
    [InlineData("""{"operation":"replace","find":""}""")]
    [InlineData("""{"operation":"replace","find":"a, b","wholeTag":true}""")]
    public async Task Invalid_edits_are_400(string body)
    {
        var dataset = await service.CreateDatasetAsync();
        var response = await service.Http.PostAsync($"/api/datasets/{dataset.Id}/prompts/preview", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ProblemBody.ReadAsync(response, HttpStatusCode.BadRequest);
    }

    private async Task<string> DatasetAsync()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id, StartPrompts.Select((p, i) => UploadPart.Sample(service.Audio["sine.mp3"], p, "la", stem: $"s{i}")).ToArray());
        return dataset.Id;
    }

    private async Task<PromptEditPreview> PreviewAsync(string dataset, PromptEditRequest request)
    {
        var response = await service.Http.PostAsJsonAsync($"/api/datasets/{dataset}/prompts/preview", request, Json.Options);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PromptEditPreview>(Json.Options))!;
    }

    private Task<HttpResponseMessage> ApplyAsync(string dataset, PromptEditRequest request) =>
        service.Http.PostAsJsonAsync($"/api/datasets/{dataset}/prompts/apply", request, Json.Options);

    private async Task ForceSaveAsync(string dataset, string stem, string prompt)
    {
        var response = await service.Http.PutAsJsonAsync($"/api/datasets/{dataset}/samples/{stem}?force=true", new UpdateSampleRequest(prompt, "la", false), Json.Options);
        response.EnsureSuccessStatusCode();
    }

    private async Task<string[]> PromptsAsync(string dataset) =>
        (await service.SamplesAsync(dataset)).Select(s => s.Prompt).ToArray();
}
