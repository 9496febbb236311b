using System.Numerics;

namespace AceTrainer.AceStep.Metrics;

/// <summary>CRC-32C (Castagnoli), the checksum of TFRecord framing; BitOperations uses the SSE4.2/ARM instruction where there is one.</summary>
public static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        var words = data.Length / sizeof(ulong);
        for (var i = 0; i < words; i++) crc = BitOperations.Crc32C(crc, BitConverter.ToUInt64(data.Slice(i * sizeof(ulong), sizeof(ulong))));
        for (var i = words * sizeof(ulong); i < data.Length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return ~crc;
    }

    /// <summary>TFRecord stores a rotated, offset CRC, so a CRC over data that itself contains CRCs stays meaningful.</summary>
    public static uint Masked(ReadOnlySpan<byte> data)
    {
        var crc = Compute(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}
