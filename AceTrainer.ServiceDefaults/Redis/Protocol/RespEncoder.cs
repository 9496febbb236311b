using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace AceTrainer.ServiceDefaults.Redis.Protocol;

/// <summary>Encodes commands as RESP arrays of bulk strings (the only request form Redis needs).</summary>
internal static class RespEncoder
{
    public static void WriteCommand(IBufferWriter<byte> output, string command, IReadOnlyList<RedisArg> args)
    {
        WriteHeader(output, (byte)'*', args.Count + 1);
        var nameLength = Encoding.UTF8.GetByteCount(command);
        WriteHeader(output, (byte)'$', nameLength);
        var span = output.GetSpan(nameLength + 2);
        Encoding.UTF8.GetBytes(command, span);
        span[nameLength] = (byte)'\r';
        span[nameLength + 1] = (byte)'\n';
        output.Advance(nameLength + 2);
        for (var i = 0; i < args.Count; i++)
        {
            var bytes = args[i].Bytes.Span;
            WriteHeader(output, (byte)'$', bytes.Length);
            span = output.GetSpan(bytes.Length + 2);
            bytes.CopyTo(span);
            span[bytes.Length] = (byte)'\r';
            span[bytes.Length + 1] = (byte)'\n';
            output.Advance(bytes.Length + 2);
        }
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, int length)
    {
        var span = output.GetSpan(16);
        span[0] = prefix;
        Utf8Formatter.TryFormat(length, span[1..], out var digits);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        output.Advance(digits + 3);
    }
}
