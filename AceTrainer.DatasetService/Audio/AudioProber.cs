using System.Globalization;
using System.Text.Json;
using AceTrainer.ServiceDefaults.Datasets;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Audio;

/// <summary>Either the facts about a decodable audio file or why it is not one.</summary>
public sealed record ProbeOutcome(AudioFacts? Facts, string? Rejection)
{
    public static ProbeOutcome Rejected(string reason) => new(null, reason);
}

/// <summary>
/// ffprobe for the container facts, then one ffmpeg pass that decodes everything (so truncated and corrupt files show up)
/// through ebur128 (loudness, sample peak), silencedetect and astats (full-scale sample count, decoded length).
/// </summary>
public sealed class AudioProber(IOptions<DatasetOptions> options)
{
    private const string AnalysisFilters =
        "ebur128=peak=sample:framelog=verbose," +
        "silencedetect=n=-60dB:d=0.3," +
        "astats=measure_perchannel=none:measure_overall=Peak_level+Peak_count+Number_of_samples";

    private readonly DatasetOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.ProbeConcurrency);

    public async Task<ProbeOutcome> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length == 0)
        {
            return ProbeOutcome.Rejected("the file is empty");
        }
        await _slots.WaitAsync(cancellationToken);
        try
        {
            var probe = await ProcessRunner.RunAsync(_options.FfprobePath,
                ["-v", "warning", "-print_format", "json", "-show_streams", "-select_streams", "a:0", path], cancellationToken);
            if (probe.ExitCode != 0)
            {
                return ProbeOutcome.Rejected($"not a file FFmpeg can read ({FirstLine(probe.StandardError)})");
            }
            if (ReadStream(probe.StandardOutput, DurationIsEstimated(probe.StandardError)) is not { } stream)
            {
                return ProbeOutcome.Rejected("the file has no audio stream");
            }
            var analysis = await ProcessRunner.RunAsync(_options.FfmpegPath,
                ["-nostdin", "-hide_banner", "-nostats", "-i", path, "-map", "0:a:0", "-af", AnalysisFilters, "-f", "null", "-"],
                cancellationToken);
            return AnalysisParser.Parse(stream, analysis);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Only ffprobe, as the benchmark's reference.</summary>
    public async Task<bool> ProbeOnlyAsync(string path, CancellationToken cancellationToken)
    {
        var probe = await ProcessRunner.RunAsync(_options.FfprobePath,
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path], cancellationToken);
        return probe.ExitCode == 0;
    }

    /// <summary>Without a length in its header, ffprobe guesses one from the bitrate, which is no promise to check against.</summary>
    private static bool DurationIsEstimated(string warnings) =>
        warnings.Contains("Estimating duration from bitrate", StringComparison.Ordinal);

    private static StreamInfo? ReadStream(string json, bool durationIsEstimated)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            return null;
        }
        var stream = streams[0];
        var rate = stream.TryGetProperty("sample_rate", out var r) && int.TryParse(r.GetString(), CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var channels = stream.TryGetProperty("channels", out var c) ? c.GetInt32() : 0;
        var codec = stream.TryGetProperty("codec_name", out var n) ? n.GetString() ?? "unknown" : "unknown";
        var duration = !durationIsEstimated && stream.TryGetProperty("duration", out var d)
            && double.TryParse(d.GetString(), CultureInfo.InvariantCulture, out var seconds) ? seconds : (double?)null;
        return rate > 0 && channels > 0 ? new StreamInfo(codec, rate, channels, duration) : null;
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no detail";
        return line.Length > 200 ? line[..200] : line;
    }
}

/// <param name="DeclaredDuration">The length the container's header promises, when it has one.</param>
public sealed record StreamInfo(string Codec, int SampleRate, int Channels, double? DeclaredDuration);
