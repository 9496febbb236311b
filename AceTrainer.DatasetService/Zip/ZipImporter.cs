using System.IO.Compression;
using AceTrainer.DatasetService.Ingest;
using AceTrainer.ServiceDefaults.Datasets;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Zip;

/// <summary>The archive as a whole is refused (a bomb, or not a zip); nothing was imported.</summary>
public sealed class ZipRejectedException(string reason, int statusCode = StatusCodes.Status400BadRequest) : Exception(reason)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// Imports a zip in either layout, in nested folders. The archive is staged to disk, checked against bomb limits before
/// anything is extracted, and every entry ends up in the report: imported, used as text, or skipped with the reason.
/// </summary>
public sealed class ZipImporter(SampleIngestor ingestor, IOptions<DatasetOptions> options)
{
    private const long RatioCheckFromBytes = 1024 * 1024;
    private readonly DatasetOptions _options = options.Value;

    public async Task<ImportReport> ImportAsync(string datasetId, Stream body, StemConflictMode onConflict, CancellationToken cancellationToken)
    {
        var zipPath = Path.Combine(ingestor.StagingDirectory, $"import-{Guid.NewGuid():N}.zip");
        var staged = new List<(string Path, StagedAudio Audio)>();
        try
        {
            await StageArchiveAsync(body, zipPath, cancellationToken);
            await using var file = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var archive = await OpenAsync(file, cancellationToken);
            var scan = ZipEntryScanner.Scan(archive, _options, RatioCheckFromBytes);
            var skipped = new List<SkippedFile>(scan.Skipped);
            var texts = new Dictionary<(string Key, TextRole Role), string>();
            var textsUsed = new List<string>();
            foreach (var (path, entry, key, role) in scan.Texts)
            {
                var text = await ReadTextAsync(entry, cancellationToken);
                if (TextDecoding.TryDecode(text, out var error) is not { } decoded)
                {
                    skipped.Add(new SkippedFile(path, error!));
                }
                else if (!scan.AudioKeys.Contains(key))
                {
                    skipped.Add(new SkippedFile(path, "no audio file with the same name in the same folder"));
                }
                else
                {
                    texts[(key, role)] = decoded;
                    textsUsed.Add(path);
                }
            }
            foreach (var (path, entry, key) in scan.Audio)
            {
                var (lyrics, instrumental) = ZipLayouts.ReadLyrics(texts.GetValueOrDefault((key, TextRole.Lyrics)));
                var fields = new SampleFields(null, texts.GetValueOrDefault((key, TextRole.Prompt), ""), lyrics, instrumental);
                await using var content = await entry.OpenAsync(cancellationToken);
                try
                {
                    staged.Add((path, await StagedAudio.StageAsync(content, Path.GetFileName(path), fields, ingestor.StagingDirectory,
                        Math.Min(_options.MaxFileBytes, entry.Length), cancellationToken)));
                }
                catch (AudioRejectedException rejected)
                {
                    skipped.Add(new SkippedFile(path, rejected.Reason));
                }
            }
            var imported = new List<ImportedFile>();
            foreach (var (path, audio) in staged)
            {
                try
                {
                    await ingestor.ProbeAllAsync([audio], cancellationToken);
                    var sample = (await ingestor.CommitAllAsync(datasetId, [audio], onConflict, cancellationToken))[0];
                    imported.Add(new ImportedFile(path, sample.Stem));
                }
                catch (AudioRejectedException rejected)
                {
                    skipped.Add(new SkippedFile(path, rejected.Reason));
                }
                catch (StemConflictException conflict)
                {
                    skipped.Add(new SkippedFile(path, $"a sample named '{conflict.Stem}' already exists"));
                }
            }
            return new ImportReport(imported, textsUsed, skipped);
        }
        finally
        {
            staged.ForEach(s => s.Audio.Dispose());
            File.Delete(zipPath);
        }
    }

    private async Task StageArchiveAsync(Stream body, string zipPath, CancellationToken cancellationToken)
    {
        await using var target = new FileStream(zipPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 17, useAsync: true);
        if (!await BoundedCopy.CopyAsync(body, target, _options.MaxZipBytes, cancellationToken))
        {
            throw new ZipRejectedException($"the archive is larger than the limit of {_options.MaxZipBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }
    }

    private static async Task<ZipArchive> OpenAsync(Stream file, CancellationToken cancellationToken)
    {
        try
        {
            return await ZipArchive.CreateAsync(file, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new ZipRejectedException($"not a readable zip archive ({ex.Message})");
        }
    }

    private async Task<byte[]> ReadTextAsync(ZipArchiveEntry entry, CancellationToken cancellationToken)
    {
        await using var content = await entry.OpenAsync(cancellationToken);
        using var copy = new MemoryStream();
        return await BoundedCopy.CopyAsync(content, copy, _options.MaxTextFileBytes, cancellationToken)
            ? copy.ToArray()
            : throw new ZipRejectedException($"'{entry.FullName}' is longer than {_options.MaxTextFileBytes} bytes");
    }
}
