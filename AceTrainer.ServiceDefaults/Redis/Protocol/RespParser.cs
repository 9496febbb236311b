using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace AceTrainer.ServiceDefaults.Redis.Protocol;

/// <summary>Incremental RESP2/RESP3 reply parser over a <see cref="SequenceReader{T}"/>.</summary>
internal static class RespParser
{
    private static readonly RedisReply Ok = new(RedisReplyKind.SimpleString, "OK"u8.ToArray());
    private static readonly RedisReply Queued = new(RedisReplyKind.SimpleString, "QUEUED"u8.ToArray());
    private static readonly RedisReply Zero = new(RedisReplyKind.Integer, "0"u8.ToArray());
    private static readonly RedisReply One = new(RedisReplyKind.Integer, "1"u8.ToArray());

    /// <summary>Reads one whole reply; returns false (reader position unspecified) when more bytes are needed.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out RedisReply reply)
    {
        reply = RedisReply.Null;
        if (!reader.TryRead(out var prefix) || !reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }
        switch (prefix)
        {
            case (byte)'+':
                reply = SimpleString(line);
                return true;
            case (byte)'-':
                reply = new RedisReply(RedisReplyKind.Error, line.ToArray());
                return true;
            case (byte)':':
                reply = Integer(line);
                return true;
            case (byte)'_':
                return true;
            case (byte)'#':
                reply = new RedisReply(RedisReplyKind.Boolean, line.ToArray());
                return true;
            case (byte)',':
                reply = new RedisReply(RedisReplyKind.Double, line.ToArray());
                return true;
            case (byte)'(':
                reply = new RedisReply(RedisReplyKind.BigNumber, line.ToArray());
                return true;
            case (byte)'$':
                return TryReadBlob(ref reader, line, RedisReplyKind.BulkString, out reply);
            case (byte)'!':
                return TryReadBlob(ref reader, line, RedisReplyKind.Error, out reply);
            case (byte)'=':
                return TryReadVerbatim(ref reader, line, out reply);
            case (byte)'*':
                return TryReadAggregate(ref reader, line, RedisReplyKind.Array, 1, out reply);
            case (byte)'~':
                return TryReadAggregate(ref reader, line, RedisReplyKind.Set, 1, out reply);
            case (byte)'>':
                return TryReadAggregate(ref reader, line, RedisReplyKind.Push, 1, out reply);
            case (byte)'%':
                return TryReadAggregate(ref reader, line, RedisReplyKind.Map, 2, out reply);
            case (byte)'|':
                // Attributes are out-of-band metadata preceding the real reply: parse and drop them.
                return TryReadAggregate(ref reader, line, RedisReplyKind.Map, 2, out _) && TryRead(ref reader, out reply);
            default:
                throw new RedisConnectionException($"Protocol error: unexpected RESP type byte 0x{prefix:x2}.");
        }
    }

    private static RedisReply SimpleString(ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            if (line.FirstSpan.SequenceEqual("OK"u8)) return Ok;
            if (line.FirstSpan.SequenceEqual("QUEUED"u8)) return Queued;
        }
        return new RedisReply(RedisReplyKind.SimpleString, line.ToArray());
    }

    private static RedisReply Integer(ReadOnlySequence<byte> line)
    {
        if (line.Length == 1 && line.FirstSpan[0] is (byte)'0' or (byte)'1')
        {
            return line.FirstSpan[0] == (byte)'0' ? Zero : One;
        }
        return new RedisReply(RedisReplyKind.Integer, line.ToArray());
    }

    private static bool TryReadBlob(ref SequenceReader<byte> reader, ReadOnlySequence<byte> line, RedisReplyKind kind, out RedisReply reply)
    {
        reply = RedisReply.Null;
        var length = ParseLength(line);
        if (length < 0)
        {
            return true;
        }
        if (reader.Remaining < length + 2L)
        {
            return false;
        }
        var bytes = new byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length + 2L);
        reply = new RedisReply(kind, bytes);
        return true;
    }

    private static bool TryReadVerbatim(ref SequenceReader<byte> reader, ReadOnlySequence<byte> line, out RedisReply reply)
    {
        if (!TryReadBlob(ref reader, line, RedisReplyKind.Verbatim, out reply))
        {
            return false;
        }
        // Verbatim strings start with a 3-letter format and a colon ("txt:"); callers only want the text.
        if (reply.Bytes.Length >= 4)
        {
            reply = new RedisReply(RedisReplyKind.Verbatim, reply.Bytes[4..]);
        }
        return true;
    }

    private static bool TryReadAggregate(ref SequenceReader<byte> reader, ReadOnlySequence<byte> line, RedisReplyKind kind, int itemsPerEntry, out RedisReply reply)
    {
        reply = RedisReply.Null;
        var count = ParseLength(line);
        if (count < 0)
        {
            return true;
        }
        var items = new RedisReply[count * itemsPerEntry];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryRead(ref reader, out items[i]))
            {
                return false;
            }
        }
        reply = new RedisReply(kind, default, items);
        return true;
    }

    private static int ParseLength(ReadOnlySequence<byte> line)
    {
        Span<byte> copy = stackalloc byte[20];
        var span = line.IsSingleSegment ? line.FirstSpan : Copy(line, copy);
        if (!Utf8Parser.TryParse(span, out int value, out var consumed) || consumed != span.Length)
        {
            throw new RedisConnectionException($"Protocol error: bad length '{Encoding.ASCII.GetString(span)}'.");
        }
        return value;
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> line, Span<byte> destination)
    {
        if (line.Length > destination.Length)
        {
            throw new RedisConnectionException("Protocol error: length line too long.");
        }
        line.CopyTo(destination);
        return destination[..(int)line.Length];
    }
}
