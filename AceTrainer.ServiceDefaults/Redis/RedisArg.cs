using System.Globalization;
using System.Text;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>One command argument, already in its wire form (a RESP bulk string).</summary>
public readonly struct RedisArg
{
    public RedisArg(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    public ReadOnlyMemory<byte> Bytes { get; }

    public static implicit operator RedisArg(string value) => new(Encoding.UTF8.GetBytes(value));
    public static implicit operator RedisArg(byte[] value) => new(value);
    public static implicit operator RedisArg(ReadOnlyMemory<byte> value) => new(value);
    public static implicit operator RedisArg(long value) => new(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
    public static implicit operator RedisArg(int value) => (long)value;
    public static implicit operator RedisArg(double value) => new(Encoding.ASCII.GetBytes(value.ToString("R", CultureInfo.InvariantCulture)));

    public override string ToString() => Encoding.UTF8.GetString(Bytes.Span);
}
