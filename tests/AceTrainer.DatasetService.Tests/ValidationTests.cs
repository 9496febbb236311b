using System.Net.Http.Json;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class ValidationTests(DatasetServiceFixture service)
{
    [Fact]
    public async Task Each_rule_reports_on_the_sample_and_in_the_dataset_report()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id,
            UploadPart.Sample(service.Audio["sine.wav"], "pop", "words", stem: "good"),
            UploadPart.Sample(service.Audio["sine.mp3"], "", "words", stem: "no_prompt"),
            UploadPart.Sample(service.Audio["sine.ogg"], "pop", "", stem: "no_lyrics"),
            UploadPart.Sample(service.Audio["sine.m4a"], "pop", "", instrumental: true, stem: "instrumental"),
            UploadPart.Sample(service.Audio["short.mp3"], "pop", "words", stem: "short"),
            UploadPart.Sample(service.Audio["long.mp3"], "pop", "words", stem: "long"),
            UploadPart.Sample(service.Audio["silence.flac"], "pop", "words", stem: "silent"),
            UploadPart.Sample(service.Audio["clipped.wav"], "pop", "words", stem: "clipped"),
            UploadPart.Sample(service.Audio["mono.wav"], "pop", "words", stem: "mono"));

        var samples = (await service.SamplesAsync(dataset.Id)).ToDictionary(s => s.Stem);
        Assert.Empty(samples["good"].Issues);
        Assert.Empty(samples["instrumental"].Issues);
        AssertOnly(samples["no_prompt"], IssueSeverity.Error, "missing-prompt");
        AssertOnly(samples["no_lyrics"], IssueSeverity.Error, "missing-lyrics");
        AssertOnly(samples["short"], IssueSeverity.Error, "too-short");
        AssertOnly(samples["long"], IssueSeverity.Warning, "too-long", "mono");
        AssertOnly(samples["silent"], IssueSeverity.Error, "mostly-silent");
        AssertOnly(samples["clipped"], IssueSeverity.Warning, "clipping");
        AssertOnly(samples["mono"], IssueSeverity.Info, "mono");

        Assert.InRange(samples["long"].Facts.DurationSeconds, 249.9, 250.1);
        Assert.Equal(1, samples["silent"].Facts.SilenceShare);
        Assert.Null(samples["silent"].Facts.PeakDbfs);
        Assert.True(samples["clipped"].Facts.FullScaleSamples > 1000);
        Assert.InRange(samples["good"].Facts.SilenceShare, 0, 0.01);

        var report = (await service.Http.GetFromJsonAsync<ValidationReport>($"/api/datasets/{dataset.Id}/validation", Json.Options))!;
        var durations = samples.Values.Select(s => s.Facts.DurationSeconds).ToList();
        Assert.Equal(9, report.Stats.Count);
        Assert.Equal(durations.Sum(), report.Stats.TotalDurationSeconds, 2);
        Assert.Equal(durations.Average(), report.Stats.MeanDurationSeconds, 2);
        // Errors make a sample invalid; warnings and info do not.
        Assert.Equal((5, 4), (report.Stats.ValidCount, report.Stats.InvalidCount));
        Assert.Equal(["no_lyrics", "no_prompt", "short", "silent"], report.Samples.Where(s => !s.Valid).Select(s => s.Stem).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Fixing_a_sample_clears_its_issue()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id, UploadPart.Sample(service.Audio["sine.wav"], "", ""));
        Assert.Equal(["missing-prompt", "missing-lyrics"], (await service.SampleAsync(dataset.Id, "sine")).Issues.Select(i => i.Code));
        var saved = await service.Http.PutAsJsonAsync($"/api/datasets/{dataset.Id}/samples/sine?force=true", new UpdateSampleRequest("pop", "", true), Json.Options);
        Assert.Empty((await saved.Content.ReadFromJsonAsync<SampleResponse>(Json.Options))!.Issues);
        var report = (await service.Http.GetFromJsonAsync<ValidationReport>($"/api/datasets/{dataset.Id}/validation", Json.Options))!;
        Assert.Equal((1, 0), (report.Stats.ValidCount, report.Stats.InvalidCount));
    }

    private static void AssertOnly(SampleResponse sample, IssueSeverity severity, string code, params string[] alsoInfo)
    {
        var issue = Assert.Single(sample.Issues, i => i.Severity != IssueSeverity.Info || i.Code == code);
        Assert.Equal((severity, code), (issue.Severity, issue.Code));
        Assert.Equal(alsoInfo, sample.Issues.Where(i => i != issue).Select(i => i.Code));
    }
}
