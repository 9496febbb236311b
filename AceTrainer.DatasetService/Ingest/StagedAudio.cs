using System.Security.Cryptography;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Ingest;

/// <summary>What the client said about one file, besides its bytes.</summary>
public sealed record SampleFields(string? Stem, string Prompt, string Lyrics, bool Instrumental);

/// <summary>An upload written to a local temp file (hashed on the way) while it waits to be probed and committed.</summary>
public sealed class StagedAudio : IDisposable
{
    private const int BufferSize = 128 * 1024;

    private StagedAudio(string path, string fileName, string sha256, long size, SampleFields fields)
    {
        TempPath = path;
        FileName = fileName;
        Sha256 = sha256;
        Size = size;
        Fields = fields;
    }

    public string TempPath { get; }
    public string FileName { get; }
    public string Sha256 { get; }
    public long Size { get; }
    public SampleFields Fields { get; }
    public AudioFacts? Facts { get; set; }

    /// <summary>Copies the stream to a temp file, stopping with 413 as soon as it passes <paramref name="maxBytes"/>.</summary>
    public static async Task<StagedAudio> StageAsync(Stream source, string fileName, SampleFields fields, string directory,
        long maxBytes, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, $"upload-{Guid.NewGuid():N}{AudioFormats.Extension(fileName)}");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw new AudioRejectedException(fileName, $"the file is larger than the limit of {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
                    }
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
            return new StagedAudio(path, fileName, Convert.ToHexStringLower(hash.GetHashAndReset()), size, fields);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    public void Dispose() => File.Delete(TempPath);
}
