using System.Globalization;
using System.Text;

namespace AceTrainer.ServiceDefaults.Redis;

/// <summary>The RESP2/RESP3 reply types; RESP3-only kinds appear only on a connection that negotiated HELLO 3.</summary>
public enum RedisReplyKind { SimpleString, Error, Integer, BulkString, Array, Null, Double, Boolean, BigNumber, Verbatim, Map, Set, Push }

/// <summary>A decoded reply. Scalars keep their raw bytes; aggregates keep their items (maps flattened key, value, ...).</summary>
public sealed class RedisReply
{
    private static readonly IReadOnlyList<RedisReply> NoItems = [];

    public static readonly RedisReply Null = new(RedisReplyKind.Null, default, NoItems);

    public RedisReply(RedisReplyKind kind, ReadOnlyMemory<byte> bytes, IReadOnlyList<RedisReply>? items = null)
    {
        Kind = kind;
        Bytes = bytes;
        Items = items ?? NoItems;
    }

    public RedisReplyKind Kind { get; }
    public ReadOnlyMemory<byte> Bytes { get; }
    public IReadOnlyList<RedisReply> Items { get; }

    public bool IsNull => Kind == RedisReplyKind.Null;
    public bool IsAggregate => Kind is RedisReplyKind.Array or RedisReplyKind.Map or RedisReplyKind.Set or RedisReplyKind.Push;

    public string? AsString() => IsNull ? null : Encoding.UTF8.GetString(Bytes.Span);

    public long AsInt64() => Kind switch
    {
        RedisReplyKind.Boolean => Bytes.Span.SequenceEqual("t"u8) ? 1 : 0,
        _ => long.Parse(Encoding.ASCII.GetString(Bytes.Span), NumberStyles.Integer, CultureInfo.InvariantCulture),
    };

    public double AsDouble() => double.Parse(Encoding.ASCII.GetString(Bytes.Span) switch
    {
        "inf" or "+inf" => "Infinity",
        "-inf" => "-Infinity",
        var s => s,
    }, NumberStyles.Float, CultureInfo.InvariantCulture);

    public byte[]? AsBytes() => IsNull ? null : Bytes.ToArray();

    public override string ToString() => IsAggregate
        ? $"{Kind}[{string.Join(", ", Items)}]"
        : $"{Kind}:{AsString()}";
}
