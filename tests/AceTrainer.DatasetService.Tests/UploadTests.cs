using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class UploadTests(DatasetServiceFixture service)
{
    public static TheoryData<string, string, int> Codecs => new()
    {
        { "sine.mp3", "mp3", 44100 },
        { "sine.wav", "pcm_s16le", 44100 },
        { "noise.flac", "flac", 48000 },
        { "sine.ogg", "vorbis", 44100 },
        { "sine.opus", "opus", 48000 },
        { "sine.m4a", "aac", 44100 },
        { "sine.aiff", "pcm_s16be", 44100 },
    };

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Every_codec_is_probed(string file, string codec, int sampleRate)
    {
        var dataset = await service.CreateDatasetAsync();
        var uploaded = (await service.UploadOkAsync(dataset.Id, UploadPart.Sample(service.Audio[file], "pop, piano", "la la"))).Samples.Single();
        Assert.Equal(codec, uploaded.Facts.Codec);
        Assert.Equal(sampleRate, uploaded.Facts.SampleRate);
        Assert.Equal(2, uploaded.Facts.Channels);
        Assert.InRange(uploaded.Facts.DurationSeconds, 3.9, 4.1);
        Assert.NotNull(uploaded.Facts.IntegratedLufs);
        Assert.InRange(uploaded.Facts.PeakDbfs!.Value, -40, -0.5);
        var sample = (await service.SamplesAsync(dataset.Id)).Single();
        Assert.Equal(("pop, piano", "la la"), (sample.Prompt, sample.Lyrics));
        Assert.Empty(sample.Issues);
    }

    [Fact]
    public async Task Several_files_in_one_request_with_fields_for_each()
    {
        var dataset = await service.CreateDatasetAsync();
        var result = await service.UploadOkAsync(dataset.Id,
            UploadPart.Sample(service.Audio["sine.mp3"], "a", "words"),
            UploadPart.Sample(service.Audio["noise.flac"], "b", instrumental: true, stem: "My Nöise!"));
        Assert.Equal(["sine", "My_Noise"], result.Samples.Select(s => s.Stem));
        var samples = await service.SamplesAsync(dataset.Id);
        Assert.True(samples.Single(s => s.Stem == "My_Noise").Instrumental);
        Assert.Equal("words", samples.Single(s => s.Stem == "sine").Lyrics);
    }

    [Fact]
    public async Task Stem_collision_renames_or_rejects_as_the_client_chooses()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["sine.wav"]));
        var renamed = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["sine.mp3"])], "rename");
        Assert.True(renamed.IsSuccessStatusCode, await renamed.Content.ReadAsStringAsync());
        Assert.Equal("sine_2", (await renamed.Content.ReadFromJsonAsync<UploadResponse>(Json.Options))!.Samples.Single().Stem);

        var before = await service.AllBlobNamesAsync();
        var rejected = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["sine.ogg"])], "reject");
        Assert.Equal(HttpStatusCode.Conflict, rejected.StatusCode);
        Assert.Equal("sine", (await ProblemAsync(rejected)).GetProperty("stem").GetString());
        Assert.Equal(before, await service.AllBlobNamesAsync());
        Assert.Equal(2, (await service.SamplesAsync(dataset.Id)).Count);
    }

    [Theory]
    [InlineData("empty.mp3", "empty")]
    [InlineData("text.mp3", "not a file FFmpeg can read")]
    [InlineData("truncated.wav", "corrupt or truncated")]
    public async Task Bad_files_are_rejected_by_name_and_nothing_is_stored(string file, string reason)
    {
        var dataset = await service.CreateDatasetAsync();
        var before = await service.AllBlobNamesAsync();
        // A good file in the same request is not stored either: a request is all or nothing.
        var response = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["sine.wav"]), new UploadPart(service.Audio[file])]);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(file, problem.GetProperty("fileName").GetString());
        Assert.Contains(reason, problem.GetProperty("reason").GetString());
        Assert.Contains(file, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await service.AllBlobNamesAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(service.StagingDirectory));
    }

    [Fact]
    public async Task Files_over_the_size_limit_get_413_and_nothing_is_stored()
    {
        Assert.True(new FileInfo(service.Audio["big.wav"]).Length > DatasetServiceFixture.MaxFileBytes);
        var dataset = await service.CreateDatasetAsync();
        var before = await service.AllBlobNamesAsync();
        var response = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["big.wav"])]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("big.wav", (await ProblemAsync(response)).GetProperty("fileName").GetString());
        Assert.Equal(before, await service.AllBlobNamesAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(service.StagingDirectory));
    }

    [Fact]
    public async Task Identical_audio_is_stored_once()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["sine.m4a"], "one.m4a"), new UploadPart(service.Audio["sine.m4a"], "two.m4a"));
        var samples = await service.SamplesAsync(dataset.Id);
        Assert.Single(samples.Select(s => s.AudioSha256).Distinct());
        Assert.Single(await service.AllBlobNamesAsync(), n => n.Contains(samples[0].AudioSha256));
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
