using System.Globalization;
using System.Text.RegularExpressions;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Audio;

/// <summary>Reads the summaries that ffmpeg 5.x's ebur128, silencedetect and astats filters print at info level.</summary>
public static partial class AnalysisParser
{
    private const double FullScaleWithinDb = 0.1;

    // Encoder delay and padding make decoded and declared lengths differ by a few hundredths of a second.
    private const double MissingSecondsTolerated = 0.2;
    private const double MissingShareTolerated = 0.01;

    public static ProbeOutcome Parse(StreamInfo stream, ProcessResult analysis)
    {
        var log = analysis.StandardError;
        var decodeError = DecodeErrorRegex().Match(log);
        if (decodeError.Success)
        {
            return ProbeOutcome.Rejected($"corrupt or truncated audio ({decodeError.Value.Trim()})");
        }
        if (analysis.ExitCode != 0)
        {
            return ProbeOutcome.Rejected($"FFmpeg could not decode the audio (exit code {analysis.ExitCode})");
        }
        var samples = LastNumber(SamplesRegex(), log);
        if (samples is not > 0)
        {
            return ProbeOutcome.Rejected("no audio samples could be decoded");
        }
        var duration = samples.Value / stream.SampleRate;
        if (stream.DeclaredDuration is { } declared && declared - duration > Math.Max(MissingSecondsTolerated, declared * MissingShareTolerated))
        {
            return ProbeOutcome.Rejected(
                $"corrupt or truncated audio (the header declares {declared:0.##} s but only {duration:0.##} s decode)");
        }
        var peak = LastNumber(PeakRegex(), log);
        var peakCount = LastNumber(PeakCountRegex(), log) ?? 0;
        var fullScale = peak is { } p && double.IsFinite(p) && p >= -FullScaleWithinDb ? (long)peakCount : 0;
        var loudness = LastNumber(IntegratedRegex(), log);
        return new ProbeOutcome(new AudioFacts(
            Math.Round(duration, 3),
            stream.SampleRate,
            stream.Channels,
            stream.Codec,
            peak is { } finitePeak && double.IsFinite(finitePeak) ? Math.Round(finitePeak, 2) : null,
            loudness is { } l && l > -70 ? Math.Round(l, 1) : null,
            Math.Round(Math.Clamp(SilentSeconds(log, duration) / duration, 0, 1), 4),
            fullScale), null);
    }

    private static double SilentSeconds(string log, double duration)
    {
        var total = SilenceDurationRegex().Matches(log).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        var starts = SilenceStartRegex().Matches(log);
        var ends = SilenceDurationRegex().Matches(log).Count;
        if (starts.Count > ends)
        {
            // Silence running into the end of the file is not always closed by an end line.
            total += duration - double.Parse(starts[^1].Groups[1].Value, CultureInfo.InvariantCulture);
        }
        return total;
    }

    private static double? LastNumber(Regex regex, string log)
    {
        var matches = regex.Matches(log);
        if (matches.Count == 0)
        {
            return null;
        }
        var text = matches[^1].Groups[1].Value;
        return text switch
        {
            "-inf" => double.NegativeInfinity,
            "inf" => double.PositiveInfinity,
            _ => double.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : null,
        };
    }

    [GeneratedRegex(@"(Error while decoding stream[^\n]*|Invalid data found when processing input[^\n]*|corrupt input packet[^\n]*|CRC mismatch[^\n]*)")]
    private static partial Regex DecodeErrorRegex();

    [GeneratedRegex(@"Number of samples: (\d+)")]
    private static partial Regex SamplesRegex();

    [GeneratedRegex(@"Peak level dB: (-?inf|-?[\d.]+)")]
    private static partial Regex PeakRegex();

    [GeneratedRegex(@"Peak count: ([\d.]+)")]
    private static partial Regex PeakCountRegex();

    [GeneratedRegex(@"^\s+I:\s+(-?[\d.]+) LUFS", RegexOptions.Multiline)]
    private static partial Regex IntegratedRegex();

    [GeneratedRegex(@"silence_duration: ([\d.]+)")]
    private static partial Regex SilenceDurationRegex();

    [GeneratedRegex(@"silence_start: (-?[\d.]+)")]
    private static partial Regex SilenceStartRegex();
}
