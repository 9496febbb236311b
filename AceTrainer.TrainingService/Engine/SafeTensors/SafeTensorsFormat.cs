namespace AceTrainer.Engine.SafeTensors;

/// <summary>One tensor entry of a safetensors header; offsets are relative to the data section.</summary>
public sealed record SafeTensorInfo(string Name, DType DType, long[] Shape, long Begin, long End);

/// <summary>Shared rules of the safetensors format (dtype names, tensor order in the file).</summary>
internal static class SafeTensorsFormat
{
    public const string MetadataKey = "__metadata__";

    public static string Name(DType dtype) => dtype switch
    {
        DType.Bool => "BOOL",
        DType.UInt8 => "U8",
        DType.Int8 => "I8",
        DType.Int16 => "I16",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Int32 => "I32",
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        _ => throw new NotSupportedException($"safetensors has no name for {dtype}"),
    };

    public static DType Parse(string name) => name switch
    {
        "BOOL" => DType.Bool,
        "U8" => DType.UInt8,
        "I8" => DType.Int8,
        "I16" => DType.Int16,
        "F16" => DType.Float16,
        "BF16" => DType.BFloat16,
        "I32" => DType.Int32,
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        "I64" => DType.Int64,
        _ => throw new NotSupportedException($"unsupported safetensors dtype {name}"),
    };

    // The reference implementation orders data by dtype (widest first, in its enum order), then by name.
    public static int Rank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.UInt8 => 1,
        DType.Int8 => 2,
        DType.Int16 => 3,
        DType.Float16 => 4,
        DType.BFloat16 => 5,
        DType.Int32 => 6,
        DType.Float32 => 7,
        DType.Float64 => 8,
        DType.Int64 => 9,
        _ => throw new NotSupportedException(dtype.ToString()),
    };
}
