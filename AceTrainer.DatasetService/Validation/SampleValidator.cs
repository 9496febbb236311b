using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Validation;

/// <summary>The training data rules of ACE-Step (pad to 3 s, cut at 240 s, skip clips that are > 95% silence, stereo).</summary>
public static class SampleValidator
{
    public const double MinSeconds = 3;
    public const double MaxSeconds = 240;
    public const double MaxSilenceShare = 0.95;
    public const long ManyFullScaleSamples = 64;

    public static IReadOnlyList<ValidationIssue> Validate(SampleRecord sample)
    {
        var issues = new List<ValidationIssue>();
        var facts = sample.Facts;
        if (string.IsNullOrWhiteSpace(sample.Prompt))
        {
            issues.Add(new(IssueSeverity.Error, "missing-prompt", "The prompt is empty."));
        }
        if (!sample.Instrumental && string.IsNullOrWhiteSpace(sample.Lyrics))
        {
            issues.Add(new(IssueSeverity.Error, "missing-lyrics", "Lyrics are empty; mark the sample instrumental if it has none."));
        }
        if (facts.DurationSeconds < MinSeconds)
        {
            issues.Add(new(IssueSeverity.Error, "too-short", $"{facts.DurationSeconds:0.##} s is shorter than {MinSeconds} s."));
        }
        else if (facts.DurationSeconds > MaxSeconds)
        {
            issues.Add(new(IssueSeverity.Warning, "too-long", $"{facts.DurationSeconds:0.#} s is longer than {MaxSeconds} s; training cuts it there."));
        }
        if (facts.SilenceShare > MaxSilenceShare)
        {
            issues.Add(new(IssueSeverity.Error, "mostly-silent", $"{facts.SilenceShare:P0} of the audio is silence (limit {MaxSilenceShare:P0})."));
        }
        if (facts.PeakDbfs >= 0 || facts.FullScaleSamples >= ManyFullScaleSamples)
        {
            issues.Add(new(IssueSeverity.Warning, "clipping",
                $"The audio clips (peak {facts.PeakDbfs?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) ?? "-inf"} dBFS, {facts.FullScaleSamples} full-scale samples)."));
        }
        if (facts.Channels == 1)
        {
            issues.Add(new(IssueSeverity.Info, "mono", "Mono audio is duplicated to stereo at training."));
        }
        return issues;
    }

    public static bool IsValid(IReadOnlyList<ValidationIssue> issues) => issues.All(i => i.Severity != IssueSeverity.Error);

    public static ValidationReport Report(string datasetId, IReadOnlyList<SampleRecord> samples)
    {
        var results = samples.Select(s =>
        {
            var issues = Validate(s);
            return new SampleValidation(s.Stem, IsValid(issues), issues);
        }).ToList();
        var total = samples.Sum(s => s.Facts.DurationSeconds);
        var valid = results.Count(r => r.Valid);
        var stats = new DatasetStats(samples.Count, Math.Round(total, 3),
            samples.Count == 0 ? 0 : Math.Round(total / samples.Count, 3), valid, samples.Count - valid);
        return new ValidationReport(datasetId, stats, results);
    }
}
