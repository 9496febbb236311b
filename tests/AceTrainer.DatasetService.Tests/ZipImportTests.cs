using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using AceTrainer.DatasetService.Tests.Support;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Tests;

[Collection(DatasetServiceCollection.Name)]
public sealed class ZipImportTests(DatasetServiceFixture service)
{
    [Fact]
    public async Task Both_layouts_in_nested_folders_and_every_entry_is_reported()
    {
        var zip = new TestZip()
            .AddFile("set/upstream/song.mp3", service.Audio["sine.mp3"])
            .AddText("set/upstream/song_prompt.txt", "pop, piano")
            .AddText("set/upstream/song_lyrics.txt", "[verse]\nhello")
            .AddFile("set/other/song.flac", service.Audio["noise.flac"])
            .AddText("set/other/song_lyrics.txt", "[instrumental]")
            .AddFile("simpletuner/deep/track.wav", service.Audio["sine.wav"])
            .AddText("simpletuner/deep/track.txt", "rock, guitar")
            .AddText("simpletuner/deep/track.lyrics", "la la la")
            .AddText("simpletuner/README.md", "notes")
            .AddText("set/orphan_prompt.txt", "no audio for me")
            .Add("set/", [])
            .ToArray();
        var dataset = await service.CreateDatasetAsync();
        var report = await service.ImportOkAsync(dataset.Id, zip);

        Assert.Equal(
            [("set/upstream/song.mp3", "song"), ("set/other/song.flac", "song_2"), ("simpletuner/deep/track.wav", "track")],
            report.Imported.Select(i => (i.Path, i.Stem)));
        Assert.Equal(["set/upstream/song_prompt.txt", "set/upstream/song_lyrics.txt", "set/other/song_lyrics.txt",
            "simpletuner/deep/track.txt", "simpletuner/deep/track.lyrics"], report.TextFilesUsed);
        Assert.Equal(["set/orphan_prompt.txt", "simpletuner/README.md"], report.Skipped.Select(s => s.Path).Order(StringComparer.Ordinal));
        Assert.Contains("no audio file", report.Skipped.Single(s => s.Path == "set/orphan_prompt.txt").Reason);

        var samples = (await service.SamplesAsync(dataset.Id)).ToDictionary(s => s.Stem);
        Assert.Equal(("pop, piano", "[verse]\nhello", false), (samples["song"].Prompt, samples["song"].Lyrics, samples["song"].Instrumental));
        Assert.Equal(("", "", true), (samples["song_2"].Prompt, samples["song_2"].Lyrics, samples["song_2"].Instrumental));
        Assert.Equal(("rock, guitar", "la la la"), (samples["track"].Prompt, samples["track"].Lyrics));
        Assert.Equal("flac", samples["song_2"].Facts.Codec);
    }

    [Fact]
    public async Task Zip_slip_and_symlink_entries_are_skipped_and_the_rest_imports()
    {
        var zip = new TestZip()
            .AddFile("../evil.wav", service.Audio["sine.wav"])
            .AddFile("ok/../../evil2.wav", service.Audio["sine.wav"])
            .AddFile("/absolute.wav", service.Audio["sine.wav"])
            .AddFile("c:/windows.wav", service.Audio["sine.wav"])
            .AddFile("back\\slash.wav", service.Audio["sine.wav"])
            .AddSymlink("linked.wav", "/etc/passwd")
            .AddSymlink("linked_prompt.txt", "/etc/shadow")
            .AddFile("fine.wav", service.Audio["sine.wav"])
            .ToArray();
        var dataset = await service.CreateDatasetAsync();
        var report = await service.ImportOkAsync(dataset.Id, zip);

        Assert.Equal(["fine"], report.Imported.Select(i => i.Stem));
        var reasons = report.Skipped.ToDictionary(s => s.Path, s => s.Reason);
        Assert.Contains("zip-slip", reasons["../evil.wav"]);
        Assert.Contains("zip-slip", reasons["ok/../../evil2.wav"]);
        Assert.Contains("absolute", reasons["/absolute.wav"]);
        Assert.Contains("unsafe path", reasons["c:/windows.wav"]);
        Assert.Contains("unsafe path", reasons["back\\slash.wav"]);
        Assert.Contains("symbolic link", reasons["linked.wav"]);
        Assert.Contains("symbolic link", reasons["linked_prompt.txt"]);
        Assert.Equal(7, reasons.Count);
        Assert.Equal(["fine"], (await service.SamplesAsync(dataset.Id)).Select(s => s.Stem));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(service.StagingDirectory)!, "evil.wav")));
    }

    [Fact]
    public async Task Too_many_entries_refuse_the_archive()
    {
        var zip = new TestZip();
        for (var i = 0; i <= DatasetServiceFixture.MaxZipEntries; i++)
        {
            zip.AddText($"f{i}.txt", "x");
        }
        await AssertRefusedAsync(zip.ToArray(), HttpStatusCode.BadRequest, $"more than the limit of {DatasetServiceFixture.MaxZipEntries}");
    }

    [Fact]
    public async Task Too_much_uncompressed_data_refuses_the_archive()
    {
        var zeros = new byte[(int)(DatasetServiceFixture.MaxZipUncompressedBytes / 2) + 1];
        var zip = new TestZip().Add("a.wav", zeros, CompressionLevel.SmallestSize).Add("b.wav", zeros, CompressionLevel.SmallestSize).ToArray();
        Assert.True(zip.Length < 1024 * 1024);
        await AssertRefusedAsync(zip, HttpStatusCode.BadRequest, "would expand to");
    }

    [Fact]
    public async Task A_high_compression_ratio_refuses_the_archive()
    {
        var zip = new TestZip().AddFile("fine.wav", service.Audio["sine.wav"]).Add("bomb.wav", new byte[8 * 1024 * 1024], CompressionLevel.SmallestSize).ToArray();
        await AssertRefusedAsync(zip, HttpStatusCode.BadRequest, "'bomb.wav' expands");
    }

    [Fact]
    public async Task An_entry_that_lies_about_its_size_is_read_no_further_than_it_declares()
    {
        var zip = new TestZip().Add("liar.wav", new byte[8 * 1024 * 1024], CompressionLevel.SmallestSize).AddFile("fine.wav", service.Audio["sine.wav"]).ToArray();
        var dataset = await service.CreateDatasetAsync();
        var report = await service.ImportOkAsync(dataset.Id, TestZip.DeclareSize(zip, "liar.wav", 1000));
        Assert.Equal(["fine"], report.Imported.Select(i => i.Stem));
        Assert.Equal("liar.wav", report.Skipped.Single().Path);
        Assert.Empty(Directory.EnumerateFileSystemEntries(service.StagingDirectory));
    }

    [Fact]
    public async Task Text_in_utf8_or_utf16_with_bom_is_read_and_other_encodings_are_reported()
    {
        var zip = new TestZip()
            .AddFile("utf8.wav", service.Audio["sine.wav"]).Add("utf8_prompt.txt", Encoding.UTF8.GetBytes("café, señor"))
            .AddFile("utf8bom.wav", service.Audio["sine.wav"]).Add("utf8bom_prompt.txt", [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes("naïve, bom")])
            .AddFile("utf16le.wav", service.Audio["sine.wav"]).Add("utf16le_prompt.txt", [.. Encoding.Unicode.Preamble, .. Encoding.Unicode.GetBytes("日本, le")])
            .AddFile("utf16be.wav", service.Audio["sine.wav"]).Add("utf16be_prompt.txt", [.. Encoding.BigEndianUnicode.Preamble, .. Encoding.BigEndianUnicode.GetBytes("ünï, be")])
            .AddFile("latin1.wav", service.Audio["sine.wav"]).Add("latin1_prompt.txt", Encoding.Latin1.GetBytes("café"))
            .AddFile("nobom16.wav", service.Audio["sine.wav"]).Add("nobom16_prompt.txt", Encoding.Unicode.GetBytes("pop"))
            .ToArray();
        var dataset = await service.CreateDatasetAsync();
        var report = await service.ImportOkAsync(dataset.Id, zip);

        Assert.Equal(6, report.Imported.Count);
        var prompts = (await service.SamplesAsync(dataset.Id)).ToDictionary(s => s.Stem, s => s.Prompt);
        Assert.Equal("café, señor", prompts["utf8"]);
        Assert.Equal("naïve, bom", prompts["utf8bom"]);
        Assert.Equal("日本, le", prompts["utf16le"]);
        Assert.Equal("ünï, be", prompts["utf16be"]);
        Assert.Equal(("", ""), (prompts["latin1"], prompts["nobom16"]));
        var reasons = report.Skipped.ToDictionary(s => s.Path, s => s.Reason);
        Assert.Contains("not UTF-8", reasons["latin1_prompt.txt"]);
        Assert.Contains("NUL", reasons["nobom16_prompt.txt"]);
        Assert.Equal(2, reasons.Count);
    }

    [Fact]
    public async Task Undecodable_audio_in_an_archive_is_skipped_with_the_reason()
    {
        var zip = new TestZip()
            .AddFile("bad/truncated.wav", service.Audio["truncated.wav"])
            .AddFile("bad/empty.mp3", service.Audio["empty.mp3"])
            .AddFile("good.mp3", service.Audio["sine.mp3"])
            .ToArray();
        var dataset = await service.CreateDatasetAsync();
        var report = await service.ImportOkAsync(dataset.Id, zip);
        Assert.Equal(["good"], report.Imported.Select(i => i.Stem));
        var reasons = report.Skipped.ToDictionary(s => s.Path, s => s.Reason);
        Assert.Contains("corrupt or truncated", reasons["bad/truncated.wav"]);
        Assert.Contains("empty", reasons["bad/empty.mp3"]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(service.StagingDirectory));
    }

    [Fact]
    public async Task Reject_mode_skips_stems_that_are_taken()
    {
        var dataset = await service.CreateDatasetAsync();
        await service.UploadOkAsync(dataset.Id, new UploadPart(service.Audio["sine.wav"]));
        var response = await service.ImportAsync(dataset.Id, new TestZip().AddFile("sine.mp3", service.Audio["sine.mp3"]).ToArray(), "reject");
        var report = (await response.Content.ReadFromJsonAsync<ImportReport>(Json.Options))!;
        Assert.Empty(report.Imported);
        Assert.Contains("already exists", report.Skipped.Single().Reason);
        Assert.Single(await service.SamplesAsync(dataset.Id));
    }

    [Fact]
    public async Task Not_a_zip_is_400_and_an_oversized_body_is_413()
    {
        await AssertRefusedAsync(Encoding.UTF8.GetBytes("PK but not really a zip"), HttpStatusCode.BadRequest, "not a readable zip");
        var oversized = new byte[DatasetServiceFixture.MaxZipBytes + 1];
        await AssertRefusedAsync(oversized, HttpStatusCode.RequestEntityTooLarge, "larger than the limit");
    }

    private async Task AssertRefusedAsync(byte[] zip, HttpStatusCode status, string reason)
    {
        var dataset = await service.CreateDatasetAsync();
        var before = await service.AllBlobNamesAsync();
        var problem = await ProblemBody.ReadAsync(await service.ImportAsync(dataset.Id, zip), status);
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Equal(before, await service.AllBlobNamesAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(service.StagingDirectory));
    }
}
