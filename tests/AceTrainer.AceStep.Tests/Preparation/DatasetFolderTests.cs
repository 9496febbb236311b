using AceTrainer.AceStep.Preparation;
using AceTrainer.AceStep.Tests.Support;

namespace AceTrainer.AceStep.Tests.Preparation;

public class DatasetFolderTests
{
    [Fact]
    public void Reads_both_layouts_in_nested_folders()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("rock"));
        File.WriteAllBytes(folder.File("song_a.mp3"), [1]);
        File.WriteAllText(folder.File("song_a_prompt.txt"), "pop, female vocals ,, upbeat\n");
        File.WriteAllText(folder.File("song_a_lyrics.txt"), "[verse]\nhello\n");
        File.WriteAllBytes(folder.File("rock/riff.flac"), [1]);
        File.WriteAllText(folder.File("rock/riff.txt"), "rock, guitar");
        File.WriteAllText(folder.File("rock/riff.lyrics"), "[instrumental]");
        File.WriteAllText(folder.File("notes.txt"), "not a sample");

        var samples = DatasetFolder.Read(folder.Path);

        Assert.Equal(["rock/riff", "song_a"], samples.Select(s => s.Key));
        Assert.Equal(["rock", "guitar"], samples[0].Tags);
        Assert.True(samples[0].Instrumental);
        Assert.Equal("", samples[0].Lyrics);
        Assert.Equal(["pop", "female vocals", "upbeat"], samples[1].Tags);
        Assert.Equal("pop, female vocals, upbeat", samples[1].Prompt);
        Assert.Equal("[verse]\nhello", samples[1].Lyrics);
        Assert.False(samples[1].Instrumental);
    }

    [Fact]
    public void Missing_prompts_and_empty_folders_are_named()
    {
        using var folder = new TempFolder();
        Assert.Contains("no audio files", Assert.Throws<InvalidDataException>(() => DatasetFolder.Read(folder.Path)).Message);
        File.WriteAllBytes(folder.File("lonely.wav"), [1]);
        Assert.Contains("lonely.wav", Assert.Throws<InvalidDataException>(() => DatasetFolder.Read(folder.Path)).Message);
        Assert.Throws<DirectoryNotFoundException>(() => DatasetFolder.Read(folder.File("absent")));
        File.WriteAllText(folder.File("lonely.txt"), "");
        Assert.Equal("music", Assert.Single(DatasetFolder.Read(folder.Path)).Prompt);
    }
}
