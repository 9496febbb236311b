using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.TestSupport.Audio;

namespace AceTrainer.AceStep.Tests.Audio;

public sealed class TrainingAudioTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Stereo_decodes_to_48k_with_channels_in_order()
    {
        var path = folder.File("tone.flac");
        await Ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=440:duration=4:sample_rate=48000",
            "-f", "lavfi", "-i", "sine=frequency=880:duration=4:sample_rate=48000",
            "-filter_complex", "[0]aformat=channel_layouts=mono[l];[1]volume=0.5,aformat=channel_layouts=mono[r];[l][r]join=inputs=2:channel_layout=stereo",
            path]);

        using var clip = TrainingAudio.Load(path);

        Assert.Equal([2L, 4 * 48000], clip.Samples.Shape);
        Assert.Equal(2, clip.SourceChannels);
        var samples = clip.Samples.ToArray<float>();
        // lavfi's sine is 1/8 of full scale; the right channel was halved
        Assert.InRange(samples.AsSpan(0, 4 * 48000).ToArray().Max(Math.Abs), 0.124, 0.126);
        Assert.InRange(samples.AsSpan(4 * 48000).ToArray().Max(Math.Abs), 0.062, 0.063);
        Assert.False(clip.IsMostlySilent);
        Assert.Equal(0, clip.SilentFraction, 3);
    }

    [Fact]
    public async Task Mono_is_duplicated_at_full_level_and_resampled()
    {
        var path = folder.File("mono.wav");
        await Ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=1000:duration=3.5:sample_rate=22050", "-ac", "1", path]);

        using var clip = TrainingAudio.Load(path);

        Assert.Equal(1, clip.SourceChannels);
        Assert.Equal(2, clip.Samples.Size(0));
        Assert.InRange(clip.Frames, 3.5 * 48000 - 64, 3.5 * 48000 + 64);
        var samples = clip.Samples.ToArray<float>();
        var half = samples.Length / 2;
        Assert.Equal(samples.AsSpan(0, half).ToArray(), samples.AsSpan(half).ToArray());
        Assert.InRange(samples.Max(Math.Abs), 0.124, 0.126); // not the 1/√2 of ffmpeg's -ac 2 upmix
    }

    [Fact]
    public async Task Short_clip_is_zero_padded_to_three_seconds()
    {
        var path = await Ffmpeg.ToneAsync(folder.File("short.mp3"), 1);

        using var clip = TrainingAudio.Load(path);

        Assert.Equal(3 * 48000, clip.Frames);
        Assert.InRange(clip.DecodedFrames, 47000, 50000);
        var left = clip.Samples.ToArray<float>().AsSpan(0, 3 * 48000);
        Assert.Contains(left[..40000].ToArray(), v => v != 0);
        Assert.True(left[(int)clip.DecodedFrames..].ToArray().All(v => v == 0));
        // about two thirds of the padded clip is silence: kept
        Assert.InRange(clip.SilentFraction, 0.6, 0.7);
        Assert.False(clip.IsMostlySilent);
    }

    [Fact]
    public async Task Silence_is_flagged_not_thrown()
    {
        var path = folder.File("silence.wav");
        await Ffmpeg.RunAsync(["-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "5", path]);

        using var clip = TrainingAudio.Load(path);

        Assert.Equal(1.0, clip.SilentFraction);
        Assert.True(clip.IsMostlySilent);
    }

    [Fact]
    public async Task Loud_input_is_clamped()
    {
        var path = folder.File("loud.wav");
        await Ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=100:duration=3:sample_rate=48000", "-af", "volume=30", "-c:a", "pcm_f32le", path]);

        using var clip = TrainingAudio.Load(path);

        var samples = clip.Samples.ToArray<float>();
        Assert.Equal(1f, samples.Max());
        Assert.Equal(-1f, samples.Min());
    }

    [Fact]
    public async Task Long_clip_is_cut_at_240_seconds()
    {
        var path = folder.File("long.wav");
        await Ffmpeg.RunAsync(["-f", "lavfi", "-i", "sine=frequency=220:duration=241:sample_rate=48000", path]);

        using var clip = TrainingAudio.Load(path);

        Assert.Equal(240L * 48000, clip.Frames);
        Assert.Equal(241L * 48000, clip.DecodedFrames);
    }

    [Fact]
    public void Non_audio_file_names_the_file_and_ffmpegs_reason()
    {
        var path = folder.File("notes.txt");
        File.WriteAllText(path, "this is not audio at all\n");

        var error = Assert.Throws<InvalidDataException>(() => TrainingAudio.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("Invalid data", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Names_ffmpeg_would_read_as_protocols_or_options_are_plain_files()
    {
        var path = await Ffmpeg.ToneAsync(folder.File("x.wav"), 3.2);
        var odd = folder.File("-concat:odd name.wav");
        File.Move(path, odd);

        using var clip = TrainingAudio.Load(odd);

        Assert.InRange(clip.Frames, 3.2 * 48000 - 64, 3.2 * 48000 + 64);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = folder.File("absent.mp3");
        var error = Assert.Throws<FileNotFoundException>(() => TrainingAudio.Load(path));
        Assert.Contains(path, error.Message);
    }
}
