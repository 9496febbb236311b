using System.IO.Compression;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Zip;

public sealed record ZipScan(
    IReadOnlyList<SkippedFile> Skipped,
    IReadOnlyList<(string Path, ZipArchiveEntry Entry, string Key, TextRole Role)> Texts,
    IReadOnlyList<(string Path, ZipArchiveEntry Entry, string Key)> Audio,
    IReadOnlySet<string> AudioKeys);

/// <summary>
/// Sorts an archive's entries by their central-directory headers alone, before anything is decompressed: bomb limits
/// refuse the whole archive; unsafe paths, links and unknown files are skipped with the reason.
/// </summary>
public static class ZipEntryScanner
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;
    private const int UnixRegularFile = 0x8000;

    public static ZipScan Scan(ZipArchive archive, DatasetOptions options, long ratioCheckFromBytes)
    {
        var entries = archive.Entries;
        if (entries.Count > options.MaxZipEntries)
        {
            throw new ZipRejectedException($"the archive has {entries.Count} entries, more than the limit of {options.MaxZipEntries}");
        }
        var declared = entries.Sum(e => e.Length);
        if (declared > options.MaxZipUncompressedBytes)
        {
            throw new ZipRejectedException($"the archive would expand to {declared} bytes, more than the limit of {options.MaxZipUncompressedBytes}");
        }
        var skipped = new List<SkippedFile>();
        var texts = new List<(string, ZipArchiveEntry, string, TextRole)>();
        var audio = new List<(string, ZipArchiveEntry, string)>();
        foreach (var entry in entries)
        {
            var path = entry.FullName;
            if (entry.Length > ratioCheckFromBytes && entry.Length / (double)Math.Max(1, entry.CompressedLength) > options.MaxCompressionRatio)
            {
                throw new ZipRejectedException($"'{path}' expands {entry.Length / (double)Math.Max(1, entry.CompressedLength):0}x, more than the limit of {options.MaxCompressionRatio}x (a zip bomb?)");
            }
            if (path.EndsWith('/') && entry.Length == 0)
            {
                continue;
            }
            if (UnsafePathReason(path) is { } unsafeReason)
            {
                skipped.Add(new SkippedFile(path, unsafeReason));
                continue;
            }
            var fileType = (entry.ExternalAttributes >> 16) & UnixFileTypeMask;
            if (fileType == UnixSymlink)
            {
                skipped.Add(new SkippedFile(path, "symbolic link entries are not imported"));
                continue;
            }
            if (fileType != 0 && fileType != UnixRegularFile)
            {
                skipped.Add(new SkippedFile(path, "not a regular file"));
                continue;
            }
            if (path.StartsWith("__MACOSX/", StringComparison.Ordinal) || Path.GetFileName(path).StartsWith("._", StringComparison.Ordinal))
            {
                skipped.Add(new SkippedFile(path, "macOS metadata file"));
            }
            else if (ZipLayouts.AudioKey(path) is { } audioKey)
            {
                audio.Add((path, entry, audioKey));
            }
            else if (ZipLayouts.ClassifyText(path) is { } text)
            {
                texts.Add((path, entry, text.Key, text.Role));
            }
            else
            {
                skipped.Add(new SkippedFile(path, "neither audio nor a prompt or lyrics file of either layout"));
            }
        }
        return new ZipScan(skipped, texts, audio, audio.Select(a => a.Item3).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Null when the entry name is a plain relative path; we never write entries to disk by name, but refuse them anyway.</summary>
    private static string? UnsafePathReason(string path)
    {
        if (path.Contains('\\') || path.Contains(':') || path.Contains('\0'))
        {
            return "unsafe path (backslash, drive or NUL in the name)";
        }
        if (path.StartsWith('/'))
        {
            return "unsafe path (absolute)";
        }
        return path.Split('/').Any(segment => segment is ".." or ".")
            ? "unsafe path (zip-slip: '..' or '.' segment)"
            : null;
    }
}
