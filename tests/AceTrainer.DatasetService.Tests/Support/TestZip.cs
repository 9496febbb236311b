using System.IO.Compression;
using System.Text;

namespace AceTrainer.DatasetService.Tests.Support;

/// <summary>Builds archives in memory, hostile ones included.</summary>
public sealed class TestZip
{
    private const int UnixSymlink = 0xA000;

    private readonly List<(string Name, byte[] Content, CompressionLevel Level, int? UnixMode)> _entries = [];

    public TestZip Add(string name, byte[] content, CompressionLevel level = CompressionLevel.Fastest)
    {
        _entries.Add((name, content, level, null));
        return this;
    }

    public TestZip AddText(string name, string text) => Add(name, Encoding.UTF8.GetBytes(text));

    public TestZip AddFile(string name, string path) => Add(name, File.ReadAllBytes(path), CompressionLevel.NoCompression);

    /// <summary>An entry whose Unix mode marks it a symbolic link to <paramref name="target"/>.</summary>
    public TestZip AddSymlink(string name, string target)
    {
        _entries.Add((name, Encoding.UTF8.GetBytes(target), CompressionLevel.NoCompression, UnixSymlink | 0x1FF));
        return this;
    }

    public byte[] ToArray()
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, level, mode) in _entries)
            {
                var entry = archive.CreateEntry(name, level);
                if (mode is { } unixMode)
                {
                    entry.ExternalAttributes = unixMode << 16;
                }
                using var stream = entry.Open();
                stream.Write(content);
            }
        }
        return output.ToArray();
    }

    /// <summary>Rewrites the uncompressed size that both headers of entry <paramref name="name"/> declare.</summary>
    public static byte[] DeclareSize(byte[] zip, string name, uint size)
    {
        var patched = zip.ToArray();
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < patched.Length; i++)
        {
            var (sizeAt, nameAt) = BitConverter.ToUInt32(patched, i) switch
            {
                0x04034b50 => (i + 22, i + 30),
                0x02014b50 => (i + 24, i + 46),
                _ => (-1, -1),
            };
            if (sizeAt >= 0 && patched.AsSpan(nameAt).StartsWith(nameBytes))
            {
                BitConverter.GetBytes(size).CopyTo(patched, sizeAt);
            }
        }
        return patched;
    }

    public static Dictionary<string, byte[]> Read(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var content = e.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            return copy.ToArray();
        });
    }
}
