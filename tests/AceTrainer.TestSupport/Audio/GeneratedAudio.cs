using System.Diagnostics;

namespace AceTrainer.TestSupport.Audio;

/// <summary>Real audio files made by ffmpeg's lavfi sources: a tone of a given length, encoded by the file extension.</summary>
public static class GeneratedAudio
{
    /// <summary>A stereo sine of <paramref name="seconds"/> at <paramref name="frequencyHz"/>, at a level that neither clips nor counts as silence.</summary>
    public static async Task<string> ToneAsync(string path, double seconds, int frequencyHz = 440)
    {
        var info = new ProcessStartInfo("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", $"sine=frequency={frequencyHz}:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}:sample_rate=44100",
            "-ac", "2", path,
        ])
        {
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start: install it (apt package 'ffmpeg').");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? path : throw new InvalidOperationException($"ffmpeg failed ({process.ExitCode}): {errors}");
    }
}
