using System.Text.Encodings.Web;
using System.Text.Json;

namespace AceTrainer.Engine.SafeTensors;

/// <summary>Writes safetensors files: compact JSON header padded with spaces to 8 bytes, then raw data.</summary>
public static class SafeTensorsWriter
{
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors
            .Select(pair => (pair.Key, Tensor: pair.Value, pair.Value.DType, Shape: pair.Value.Shape))
            .OrderByDescending(t => SafeTensorsFormat.Rank(t.DType))
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .ToList();

        using var headerStream = new MemoryStream();
        using (var json = new Utf8JsonWriter(headerStream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsFormat.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in ordered)
            {
                var bytes = t.Shape.Aggregate(1L, (a, b) => a * b) * t.DType.ElementSize();
                json.WriteStartObject(t.Key);
                json.WriteString("dtype", SafeTensorsFormat.Name(t.DType));
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        var header = headerStream.ToArray();
        var padded = (header.Length + 7) / 8 * 8;

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> prefix = stackalloc byte[8];
        BitConverter.TryWriteBytes(prefix, (long)padded);
        file.Write(prefix);
        file.Write(header);
        for (var k = header.Length; k < padded; k++) file.WriteByte((byte)' ');
        foreach (var t in ordered)
        {
            var data = new byte[t.Tensor.Numel * t.DType.ElementSize()];
            t.Tensor.CopyBytesTo(data);
            file.Write(data);
        }
    }
}
