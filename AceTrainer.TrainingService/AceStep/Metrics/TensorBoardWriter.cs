using System.Buffers.Binary;
using System.Text;

namespace AceTrainer.AceStep.Metrics;

/// <summary>
/// Writes a TensorBoard event file (<c>events.out.tfevents.&lt;unix seconds&gt;.&lt;hostname&gt;</c>) into a log folder:
/// TFRecord-framed <c>Event</c> protobufs, the first carrying the file version, then one event per step with
/// <c>simple_value</c> scalars. Every step is flushed to disk, so a live <c>tensorboard --logdir</c> sees it and a
/// crash loses at most the step being written. Each writer creates a new file (a resumed run adds one beside the
/// old ones; TensorBoard merges all event files of a folder). One writer per file; calls are serialised.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    public const string FileVersion = "brain.Event:2";

    private readonly FileStream stream;
    private readonly Lock gate = new();

    public TensorBoardWriter(string logFolder)
    {
        Directory.CreateDirectory(logFolder);
        var stem = $"events.out.tfevents.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.MachineName}";
        FilePath = Path.Combine(logFolder, stem);
        // Two writers started within one second (a quick resume) must not share a file.
        for (var n = 1; File.Exists(FilePath); n++) FilePath = Path.Combine(logFolder, $"{stem}.{n}");
        stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteRecord(EventBytes(WallTime(), 0, Field(3, Encoding.UTF8.GetBytes(FileVersion))));
        Flush();
    }

    public string FilePath { get; }

    /// <summary>Writes one event at <paramref name="step"/> holding every (tag, value) scalar, and flushes it to disk.</summary>
    public void WriteScalars(long step, IEnumerable<KeyValuePair<string, double>> scalars, DateTimeOffset? time = null)
    {
        var summary = new MemoryStream();
        Span<byte> single = stackalloc byte[sizeof(float)];
        foreach (var (tag, value) in scalars)
        {
            if (string.IsNullOrEmpty(tag)) throw new ArgumentException("a TensorBoard scalar needs a tag", nameof(scalars));
            var entry = new MemoryStream();
            entry.Write(Field(1, Encoding.UTF8.GetBytes(tag)));
            entry.WriteByte(Key(2, wireType: 5));
            BinaryPrimitives.WriteSingleLittleEndian(single, (float)value);
            entry.Write(single);
            summary.Write(Field(1, entry.ToArray()));
        }
        var payload = EventBytes(time is { } t ? t.ToUnixTimeMilliseconds() / 1000.0 : WallTime(), step, Field(5, summary.ToArray()));
        lock (gate)
        {
            WriteRecord(payload);
            Flush();
        }
    }

    public void WriteScalar(long step, string tag, double value) => WriteScalars(step, [new(tag, value)]);

    public void Dispose()
    {
        lock (gate) stream.Dispose();
    }

    private static double WallTime() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private void Flush() => stream.Flush(flushToDisk: true);

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary>Event { double wall_time = 1; int64 step = 2; then the given field (file_version = 3 or summary = 5) }.</summary>
    private static byte[] EventBytes(double wallTime, long step, byte[] content)
    {
        var bytes = new MemoryStream();
        bytes.WriteByte(Key(1, wireType: 1));
        Span<byte> fixed64 = stackalloc byte[sizeof(double)];
        BinaryPrimitives.WriteDoubleLittleEndian(fixed64, wallTime);
        bytes.Write(fixed64);
        if (step != 0)
        {
            bytes.WriteByte(Key(2, wireType: 0));
            WriteVarint(bytes, (ulong)step);
        }
        bytes.Write(content);
        return bytes.ToArray();
    }

    /// <summary>A length-delimited field (wire type 2): key, varint length, bytes.</summary>
    private static byte[] Field(int number, byte[] value)
    {
        var bytes = new MemoryStream(value.Length + 6);
        bytes.WriteByte(Key(number, wireType: 2));
        WriteVarint(bytes, (ulong)value.Length);
        bytes.Write(value);
        return bytes.ToArray();
    }

    private static byte Key(int number, int wireType) => (byte)((number << 3) | wireType);

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }
}
