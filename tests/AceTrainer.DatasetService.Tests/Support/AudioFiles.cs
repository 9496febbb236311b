using AceTrainer.TestSupport.Audio;

namespace AceTrainer.DatasetService.Tests.Support;

/// <summary>Test audio generated once per run with ffmpeg's lavfi sources, in a temp folder.</summary>
public sealed class AudioFiles : IDisposable
{
    private static readonly (string Name, string[] Args)[] Recipes =
    [
        ("sine.mp3", ["-f", "lavfi", "-i", "sine=f=440:d=4", "-ac", "2", "-ar", "44100", "-b:a", "128k"]),
        ("sine.wav", ["-f", "lavfi", "-i", "sine=f=330:d=4", "-ac", "2", "-ar", "44100"]),
        ("noise.flac", ["-f", "lavfi", "-i", "anoisesrc=d=4:c=pink:a=0.3", "-ac", "2", "-ar", "48000"]),
        ("sine.ogg", ["-f", "lavfi", "-i", "sine=f=550:d=4", "-ac", "2", "-c:a", "libvorbis"]),
        ("sine.opus", ["-f", "lavfi", "-i", "sine=f=660:d=4", "-ac", "2", "-c:a", "libopus"]),
        ("sine.m4a", ["-f", "lavfi", "-i", "sine=f=770:d=4", "-ac", "2", "-c:a", "aac"]),
        ("sine.aiff", ["-f", "lavfi", "-i", "sine=f=880:d=4", "-ac", "2", "-ar", "44100"]),
        ("mono.wav", ["-f", "lavfi", "-i", "sine=f=440:d=4", "-ac", "1", "-ar", "44100"]),
        ("silence.flac", ["-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "5"]),
        ("clipped.wav", ["-f", "lavfi", "-i", "sine=f=440:d=4", "-af", "volume=20", "-ac", "2", "-ar", "44100"]),
        ("short.mp3", ["-f", "lavfi", "-i", "sine=f=440:d=2", "-ac", "2"]),
        ("long.mp3", ["-f", "lavfi", "-i", "sine=f=220:d=250", "-ac", "1", "-ar", "22050", "-b:a", "32k"]),
        ("big.wav", ["-f", "lavfi", "-i", "anoisesrc=d=35:a=0.2", "-ac", "2", "-ar", "44100"]),
        ("ten.wav", ["-f", "lavfi", "-i", "sine=f=440:d=10", "-ac", "2", "-ar", "44100"]),
        ("ten.mp3", ["-f", "lavfi", "-i", "sine=f=440:d=10", "-ac", "2", "-ar", "44100", "-b:a", "128k"]),
        ("ten.flac", ["-f", "lavfi", "-i", "sine=f=440:d=10", "-ac", "2", "-ar", "44100"]),
        ("ten.ogg", ["-f", "lavfi", "-i", "sine=f=440:d=10", "-ac", "2", "-c:a", "libvorbis"]),
        ("ten.m4a", ["-f", "lavfi", "-i", "sine=f=440:d=10", "-ac", "2", "-c:a", "aac"]),
        ("sine.wma", ["-f", "lavfi", "-i", "sine=f=990:d=4", "-ac", "2", "-ar", "44100", "-c:a", "wmav2"]),
        ("sine.aac", ["-f", "lavfi", "-i", "sine=f=1100:d=4", "-ac", "2", "-ar", "44100", "-c:a", "aac"]),
        ("image.png", ["-f", "lavfi", "-i", "color=c=red:s=32x32", "-frames:v", "1"]),
    ];

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("dataset-audio-").FullName;

    public string this[string name] => Path.Combine(Directory, name);

    public async Task GenerateAllAsync()
    {
        await Task.WhenAll(Recipes.Select(r => Ffmpeg.RunAsync([.. r.Args, this[r.Name]])));
        // A wav whose header promises 10 s but whose data stops after about 4.5 s.
        var whole = await File.ReadAllBytesAsync(this["ten.wav"]);
        await File.WriteAllBytesAsync(this["truncated.wav"], whole[..800_000]);
        await File.WriteAllBytesAsync(this["empty.mp3"], []);
        // The Xing header still promises 10 s.
        await CutAsync("ten.mp3", "truncated.mp3", 0.45);
        // No moov atom: the index of an m4a comes last.
        await CutAsync("ten.m4a", "truncated.m4a", 0.5);
        // Frames whose CRC fails are dropped by the FLAC parser; Ogg pages with a bad CRC are reported.
        await DamageAsync("ten.flac", "corrupt.flac", 8000);
        await DamageAsync("ten.ogg", "corrupt.ogg", 2000);
        await File.WriteAllTextAsync(this["text.mp3"], "this is not audio, just text in a file named .mp3\n");
    }

    private async Task CutAsync(string source, string target, double keep)
    {
        var whole = await File.ReadAllBytesAsync(this[source]);
        await File.WriteAllBytesAsync(this[target], whole[..(int)(whole.Length * keep)]);
    }

    private async Task DamageAsync(string source, string target, int bytes)
    {
        var whole = await File.ReadAllBytesAsync(this[source]);
        new Random(42).NextBytes(whole.AsSpan(whole.Length / 2, bytes));
        await File.WriteAllBytesAsync(this[target], whole);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
