using System.Buffers.Binary;

namespace AceTrainer.AceStep.Text;

/// <summary>Just enough protobuf wire-format reading for a SentencePiece <c>.model</c> file.</summary>
internal sealed class ProtoReader(byte[] data)
{
    private int position;

    public bool Next(out int field, out int wire)
    {
        field = wire = 0;
        if (position >= data.Length) return false;
        var key = Varint();
        field = (int)(key >> 3);
        wire = (int)(key & 7);
        return true;
    }

    public ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 63) throw new OverflowException("varint too long");
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    public byte[] Bytes()
    {
        var length = checked((int)Varint());
        var bytes = data[position..checked(position + length)];
        position += length;
        return bytes;
    }

    public float Float()
    {
        var value = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(position, 4));
        position += 4;
        return value;
    }

    public void Skip(int wire)
    {
        switch (wire)
        {
            case 0: Varint(); break;
            case 1: position += 8; break;
            case 2: Bytes(); break;
            case 5: position += 4; break;
            default: throw new InvalidDataException($"unsupported protobuf wire type {wire}");
        }
        if (position > data.Length) throw new InvalidDataException("truncated protobuf");
    }
}
