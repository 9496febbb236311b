using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults.Datasets;

/// <summary>What ffprobe and one ffmpeg analysis pass (ebur128, silencedetect, astats) found in the audio.</summary>
/// <param name="PeakDbfs">Sample peak; negative infinity is sent as null (digital silence).</param>
/// <param name="FullScaleSamples">Samples at the peak level when that level is within 0.1 dB of full scale, else 0.</param>
/// <param name="SilenceShare">Share (0..1) of the duration below -60 dBFS for at least 0.3 s.</param>
public sealed record AudioFacts(
    double DurationSeconds,
    int SampleRate,
    int Channels,
    string Codec,
    double? PeakDbfs,
    double? IntegratedLufs,
    double SilenceShare,
    long FullScaleSamples);

/// <param name="Version">The record's ETag: send it back as If-Match when saving.</param>
public sealed record SampleResponse(
    string Stem,
    string Version,
    string Prompt,
    string Lyrics,
    bool Instrumental,
    string FileName,
    long AudioBytes,
    string AudioSha256,
    AudioFacts Facts,
    IReadOnlyList<ValidationIssue> Issues,
    DateTimeOffset UpdatedAt);

/// <summary>Body of PUT /api/datasets/{id}/samples/{stem}; the version goes in If-Match (or ?force=true).</summary>
public sealed record UpdateSampleRequest(string Prompt, string Lyrics, bool Instrumental);

/// <summary>Body of 409 on a save whose If-Match is stale: the record as it is now.</summary>
public sealed record SampleConflict(string Message, SampleResponse Current);

public sealed record UploadResponse(IReadOnlyList<UploadedSample> Samples);

/// <param name="FileName">The uploaded file's name; Stem is what it was stored as (sanitised, maybe suffixed).</param>
public sealed record UploadedSample(string FileName, string Stem, string Version, AudioFacts Facts);

[JsonConverter(typeof(JsonStringEnumConverter<StemConflictMode>))]
public enum StemConflictMode { Rename, Reject }
