using System.Diagnostics;
using System.Globalization;

namespace AceTrainer.TestSupport.Audio;

/// <summary>Real audio for tests, made by ffmpeg (its lavfi sources need no input files).</summary>
public static class Ffmpeg
{
    /// <summary>Runs ffmpeg quietly with <paramref name="arguments"/>; throws with its error output when it fails.</summary>
    public static async Task RunAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-nostdin", "-hide_banner", "-v", "error", "-y" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start: install it (apt package 'ffmpeg').");
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed ({process.ExitCode}): {await errors}");
        }
    }

    /// <summary>A stereo 44.1 kHz sine, encoded by <paramref name="path"/>'s extension, at a level that neither clips nor counts as silence.</summary>
    public static async Task<string> ToneAsync(string path, double seconds, int frequencyHz = 440)
    {
        await RunAsync(["-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"sine=frequency={frequencyHz}:duration={seconds}:sample_rate=44100"),
            "-ac", "2", path]);
        return path;
    }
}
