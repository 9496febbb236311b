using System.Text.Json.Serialization;

namespace AceTrainer.ServiceDefaults.Datasets;

/// <summary>Upstream ACE-Step: NAME.mp3 + NAME_prompt.txt + NAME_lyrics.txt; SimpleTuner: NAME.ext + NAME.txt + NAME.lyrics.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DatasetLayout>))]
public enum DatasetLayout { Upstream, SimpleTuner }

public sealed record ImportedFile(string Path, string Stem);

public sealed record SkippedFile(string Path, string Reason);

/// <summary>Every entry of the archive appears once: imported (audio that became a sample), used (a text file read into one) or skipped.</summary>
public sealed record ImportReport(
    IReadOnlyList<ImportedFile> Imported,
    IReadOnlyList<string> TextFilesUsed,
    IReadOnlyList<SkippedFile> Skipped);
