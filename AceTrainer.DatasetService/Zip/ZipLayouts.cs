using AceTrainer.DatasetService.Ingest;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Zip;

public enum TextRole { Prompt, Lyrics }

/// <summary>How archive entry names map to samples in the two layouts we read and write.</summary>
public static class ZipLayouts
{
    public const string InstrumentalMarker = "[instrumental]";

    /// <summary>The sample key (folder + name) and role of a text entry, or null if the name fits neither layout.</summary>
    public static (string Key, TextRole Role)? ClassifyText(string path)
    {
        var folder = FolderOf(path);
        var name = Path.GetFileName(path);
        if (name.EndsWith("_prompt.txt", StringComparison.OrdinalIgnoreCase))
        {
            return (folder + name[..^"_prompt.txt".Length], TextRole.Prompt);
        }
        if (name.EndsWith("_lyrics.txt", StringComparison.OrdinalIgnoreCase))
        {
            return (folder + name[..^"_lyrics.txt".Length], TextRole.Lyrics);
        }
        if (name.EndsWith(".lyrics", StringComparison.OrdinalIgnoreCase))
        {
            return (folder + name[..^".lyrics".Length], TextRole.Lyrics);
        }
        if (name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            return (folder + name[..^".txt".Length], TextRole.Prompt);
        }
        return null;
    }

    public static string? AudioKey(string path) =>
        AudioFormats.IsAudioFileName(path) ? FolderOf(path) + Path.GetFileNameWithoutExtension(path) : null;

    /// <summary>Lyrics of "[instrumental]" (how instrumental samples are exported) mean instrumental with no lyrics.</summary>
    public static (string Lyrics, bool Instrumental) ReadLyrics(string? text) =>
        text is null ? ("", false)
        : text.Trim().Equals(InstrumentalMarker, StringComparison.OrdinalIgnoreCase) ? ("", true)
        : (text, false);

    public static string WriteLyrics(string lyrics, bool instrumental) =>
        instrumental && string.IsNullOrWhiteSpace(lyrics) ? InstrumentalMarker : lyrics;

    public static (string Prompt, string Lyrics) TextNames(string stem, DatasetLayout layout) => layout == DatasetLayout.Upstream
        ? ($"{stem}_prompt.txt", $"{stem}_lyrics.txt")
        : ($"{stem}.txt", $"{stem}.lyrics");

    private static string FolderOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..(slash + 1)];
    }
}
