using System.Net;
using System.Net.Http.Json;
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
        { "sine.wma", "wmav2", 44100 },
        { "sine.aac", "aac", 44100 },
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
        // Two files of one request with the same stem: the second is suffixed too.
        var pair = await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["sine.aiff"]), new UploadPart(service.Audio["sine.wma"]));
        Assert.Equal(["sine_3", "sine_4"], pair.Samples.Select(s => s.Stem));

        var before = await service.AllBlobNamesAsync();
        var rejected = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["ten.wav"]), new UploadPart(service.Audio["sine.ogg"])], "reject");
        var problem = await ProblemBody.ReadAsync(rejected, HttpStatusCode.Conflict);
        Assert.Equal(("sine", "sine.ogg"), (problem.GetProperty("stem").GetString(), problem.GetProperty("fileName").GetString()));
        Assert.Equal(before, await service.AllBlobNamesAsync());
        Assert.Equal(4, (await service.SamplesAsync(dataset.Id)).Count);
    }

    [Theory]
    [InlineData("empty.mp3", "the file is empty")]
    [InlineData("text.mp3", "not a file FFmpeg can read")]
    [InlineData("image.png", "no audio stream")]
    [InlineData("truncated.wav", "corrupt or truncated")]
    [InlineData("truncated.mp3", "the header declares 10.03 s but only 4.")]
    [InlineData("truncated.m4a", "moov atom not found")]
    [InlineData("corrupt.flac", "corrupt or truncated")]
    [InlineData("corrupt.ogg", "CRC mismatch")]
    public async Task Bad_files_are_rejected_by_name_and_nothing_is_stored(string file, string reason)
    {
        var dataset = await service.CreateDatasetAsync();
        var before = await service.AllBlobNamesAsync();
        // A good file in the same request is not stored either: a request is all or nothing.
        var response = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["sine.wav"]), new UploadPart(service.Audio[file])]);

        var problem = await ProblemBody.ReadAsync(response, HttpStatusCode.UnprocessableEntity);
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
        var response = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["sine.wav"]), new UploadPart(service.Audio["big.wav"])]);
        var problem = await ProblemBody.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("big.wav", problem.GetProperty("fileName").GetString());
        Assert.Contains($"limit of {DatasetServiceFixture.MaxFileBytes} bytes", problem.GetProperty("reason").GetString());
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

    [Fact]
    public async Task A_body_that_is_not_multipart_gets_415()
    {
        var dataset = await service.CreateDatasetAsync();
        var response = await service.Http.PostAsync($"/api/datasets/{dataset.Id}/samples", new ByteArrayContent(await File.ReadAllBytesAsync(service.Audio["sine.mp3"])));
        var problem = await ProblemBody.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("multipart/form-data", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_conflict_mode_gets_400_naming_the_choices()
    {
        var dataset = await service.CreateDatasetAsync();
        var response = await service.UploadAsync(dataset.Id, [new UploadPart(service.Audio["sine.mp3"])], "overwrite");
        var problem = await ProblemBody.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("rename, reject", problem.GetProperty("detail").GetString());
        Assert.Empty(await service.SamplesAsync(dataset.Id));
    }

    [Fact]
    public async Task Upload_to_a_missing_dataset_is_404()
    {
        var response = await service.UploadAsync("0123456789ab", [new UploadPart(service.Audio["sine.mp3"])]);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
