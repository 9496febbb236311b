using System.IO.Compression;
using System.Text;
using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Zip;

/// <summary>
/// Writes a dataset as a zip straight to the output (the response body): entries are streamed from blobs one after the
/// other, nothing is buffered whole. Audio keeps its original format and is stored uncompressed.
/// </summary>
public sealed class ZipExporter(DatasetStore store)
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public async Task WriteAsync(IReadOnlyList<Versioned<SampleRecord>> samples, DatasetLayout layout, Stream output,
        CancellationToken cancellationToken)
    {
        await using var body = new SyncWriteBuffer(output);
        await using var archive = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken);
        foreach (var sample in samples.Select(s => s.Value))
        {
            var audioName = sample.Stem + Path.GetExtension(sample.Audio.Blob);
            await using (var download = await store.Blobs.DownloadAsync(store.Container, sample.Audio.Blob, cancellationToken: cancellationToken)
                ?? throw new InvalidDataException($"Audio blob '{sample.Audio.Blob}' of '{sample.Stem}' is missing."))
            {
                var entry = archive.CreateEntry(audioName, CompressionLevel.NoCompression);
                await using var target = await entry.OpenAsync(cancellationToken);
                await download.Content.CopyToAsync(target, cancellationToken);
            }
            var (promptName, lyricsName) = ZipLayouts.TextNames(sample.Stem, layout);
            await WriteTextAsync(archive, promptName, sample.Prompt, cancellationToken);
            await WriteTextAsync(archive, lyricsName, ZipLayouts.WriteLyrics(sample.Lyrics, sample.Instrumental), cancellationToken);
        }
    }

    private static async Task WriteTextAsync(ZipArchive archive, string name, string text, CancellationToken cancellationToken)
    {
        var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
        await using var target = await entry.OpenAsync(cancellationToken);
        await target.WriteAsync(Utf8NoBom.GetBytes(text), cancellationToken);
    }
}
