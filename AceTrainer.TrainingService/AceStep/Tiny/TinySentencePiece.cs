using System.Text;

namespace AceTrainer.AceStep.Tiny;

/// <summary>
/// Writes a small SentencePiece unigram model (the <c>spiece.model</c> protobuf) for the tiny demo checkpoint:
/// T5's special ids (&lt;pad&gt; 0, &lt;/s&gt; 1, &lt;unk&gt; 2), "▁" and printable ASCII as pieces, a few common
/// music words, and byte fallback so any text encodes. Python's sentencepiece loads the same file.
/// </summary>
public static class TinySentencePiece
{
    private static readonly string[] Words = ["▁the", "▁and", "▁rock", "▁pop", "▁piano", "▁guitar", "▁drums", "▁bass", "▁vocals", "▁female", "▁male", "▁music", "▁song", "▁beat"];

    /// <summary>Number of pieces the written model has (the tiny text encoder's vocabulary size).</summary>
    public static int PieceCount => Pieces().Count;

    public static void Write(string path)
    {
        using var model = new MemoryStream();
        foreach (var (piece, score, type) in Pieces())
        {
            var message = new MemoryStream();
            WriteString(message, 1, piece);
            WriteTag(message, 2, 5);
            message.Write(BitConverter.GetBytes(score));
            WriteVarintField(message, 3, (ulong)type);
            WriteBytes(model, 1, message.ToArray());
        }
        var trainer = new MemoryStream();
        WriteVarintField(trainer, 3, 1); // model_type UNIGRAM
        WriteVarintField(trainer, 4, (ulong)PieceCount); // vocab_size
        WriteVarintField(trainer, 35, 1); // byte_fallback
        WriteVarintField(trainer, 40, 2); // unk_id
        WriteVarintField(trainer, 41, unchecked((ulong)-1L)); // bos_id: none, as T5
        WriteVarintField(trainer, 42, 1); // eos_id
        WriteVarintField(trainer, 43, 0); // pad_id
        WriteBytes(model, 2, trainer.ToArray());
        var normalizer = new MemoryStream();
        WriteString(normalizer, 1, "identity");
        WriteVarintField(normalizer, 3, 1); // add_dummy_prefix
        WriteVarintField(normalizer, 4, 1); // remove_extra_whitespaces
        WriteVarintField(normalizer, 5, 1); // escape_whitespaces
        WriteBytes(model, 3, normalizer.ToArray());
        File.WriteAllBytes(path, model.ToArray());
    }

    private static List<(string Piece, float Score, int Type)> Pieces()
    {
        var pieces = new List<(string, float, int)> { ("<pad>", 0, 3), ("</s>", 0, 3), ("<unk>", 0, 2), ("▁", -2, 1) };
        pieces.AddRange(Words.Select(w => (w, -3f, 1)));
        for (var c = '!'; c <= '~'; c++) pieces.Add((c.ToString(), -5, 1));
        for (var b = 0; b < 256; b++) pieces.Add(($"<0x{b:X2}>", 0, 6));
        return pieces;
    }

    private static void WriteTag(Stream stream, int field, int wire) => WriteVarint(stream, (ulong)((field << 3) | wire));

    private static void WriteVarintField(Stream stream, int field, ulong value)
    {
        WriteTag(stream, field, 0);
        WriteVarint(stream, value);
    }

    private static void WriteString(Stream stream, int field, string value) => WriteBytes(stream, field, Encoding.UTF8.GetBytes(value));

    private static void WriteBytes(Stream stream, int field, byte[] value)
    {
        WriteTag(stream, field, 2);
        WriteVarint(stream, (ulong)value.Length);
        stream.Write(value);
    }

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
