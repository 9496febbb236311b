using System.ComponentModel.DataAnnotations;

namespace AceTrainer.DatasetService;

/// <summary>Bound from the "Datasets" configuration section.</summary>
public sealed class DatasetOptions
{
    public const string Section = "Datasets";

    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9-]{2,62}$")]
    public string Container { get; set; } = "datasets";

    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 500L * 1024 * 1024;

    [Range(1, 10_000)]
    public int MaxFilesPerRequest { get; set; } = 200;

    [Required]
    public string FfprobePath { get; set; } = "ffprobe";

    [Required]
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>ffprobe/ffmpeg processes running at once; each decodes a whole file.</summary>
    [Range(1, 256)]
    public int ProbeConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Where uploads are staged while they are probed; the system temp folder when empty.</summary>
    public string? StagingDirectory { get; set; }

    [Range(1, long.MaxValue)]
    public long MaxZipBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    [Range(1, 1_000_000)]
    public int MaxZipEntries { get; set; } = 10_000;

    [Range(1, long.MaxValue)]
    public long MaxZipUncompressedBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>Uncompressed/compressed above this on any entry marks the archive as a bomb.</summary>
    [Range(1, 100_000)]
    public double MaxCompressionRatio { get; set; } = 200;

    [Range(1, 100 * 1024 * 1024)]
    public int MaxTextFileBytes { get; set; } = 1024 * 1024;

    public TimeSpan SummaryCacheTtl { get; set; } = TimeSpan.FromMinutes(10);
}
