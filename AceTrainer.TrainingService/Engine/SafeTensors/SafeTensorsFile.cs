using System.IO.MemoryMappedFiles;
using System.Text.Json;

namespace AceTrainer.Engine.SafeTensors;

/// <summary>
/// A safetensors file opened lazily: the file is memory-mapped, only the JSON header is parsed,
/// and a tensor's bytes are read when <see cref="Load"/> asks for it.
/// </summary>
public sealed unsafe class SafeTensorsFile : IDisposable
{
    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* basePointer;
    private readonly long dataStart;
    private readonly long length;

    private SafeTensorsFile(string path)
    {
        length = new FileInfo(path).Length;
        if (length < 8) throw new InvalidDataException($"{path} is too short for a safetensors file");
        map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        basePointer = pointer + view.PointerOffset;
        try
        {
            var headerLength = *(long*)basePointer;
            if (headerLength <= 0 || 8 + headerLength > length) throw new InvalidDataException($"{path}: bad header length {headerLength}");
            dataStart = 8 + headerLength;
            (Tensors, Metadata) = ParseHeader(new ReadOnlySpan<byte>(basePointer + 8, (int)headerLength), length - dataStart);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public static SafeTensorsFile Open(string path) => new(path);

    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads one tensor, optionally converting its dtype and moving it to a device.</summary>
    public Tensor Load(string name, DType? dtype = null, Device? device = null)
    {
        if (!Tensors.TryGetValue(name, out var info)) throw new KeyNotFoundException($"no tensor '{name}' in file");
        var bytes = new ReadOnlySpan<byte>(basePointer + dataStart + info.Begin, checked((int)(info.End - info.Begin)));
        var host = Tensor.FromBytes(bytes, info.DType, info.Shape);
        if (dtype is null && device is null) return host;
        using (host) return host.To(device, dtype, copy: false).Alias();
    }

    /// <summary>Reads every tensor (or those <paramref name="select"/> accepts) into a name → tensor map.</summary>
    public Dictionary<string, Tensor> LoadAll(DType? dtype = null, Device? device = null, Func<string, bool>? select = null) =>
        Tensors.Keys.Where(select ?? (_ => true)).ToDictionary(name => name, name => Load(name, dtype, device));

    public void Dispose()
    {
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }

    private static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ParseHeader(ReadOnlySpan<byte> json, long dataLength)
    {
        var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json.ToArray());
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            if (entry.Name == SafeTensorsFormat.MetadataKey)
            {
                foreach (var item in entry.Value.EnumerateObject()) metadata[item.Name] = item.Value.GetString() ?? "";
                continue;
            }
            var dtype = SafeTensorsFormat.Parse(entry.Value.GetProperty("dtype").GetString()!);
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var expected = shape.Aggregate(1L, (a, b) => a * b) * dtype.ElementSize();
            if (offsets.Length != 2 || offsets[1] - offsets[0] != expected || offsets[1] > dataLength || offsets[0] < 0)
                throw new InvalidDataException($"tensor '{entry.Name}': data_offsets do not match dtype and shape");
            tensors[entry.Name] = new SafeTensorInfo(entry.Name, dtype, shape, offsets[0], offsets[1]);
        }
        return (tensors, metadata);
    }
}
