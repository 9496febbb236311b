using System.Buffers.Binary;
using System.Text;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// A SentencePiece unigram model read from its <c>.model</c> protobuf: the normalizer (precompiled character map,
/// dummy prefix, whitespace handling) and the Viterbi segmentation of the sentencepiece library, including the unknown-piece penalty, runs of unknown characters as one unknown piece, and byte fallback.
/// User-defined symbols are matched like normal pieces with the library's score rule, but not split out before
/// normalization.
/// </summary>
public sealed class SentencePieceModel
{
    private const float UnknownPenalty = 10f;

    private enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

    private readonly List<(string Piece, float Score, PieceType Type)> pieces = [];
    private readonly Dictionary<string, int> pieceIds = new(StringComparer.Ordinal);
    private readonly Dictionary<byte, int> byteIds = [];
    private readonly Dictionary<string, int> matchable = new(StringComparer.Ordinal);
    private int longestPiece;
    private uint[] charsMapTrie = [];
    private byte[] charsMapStrings = [];
    private bool addDummyPrefix = true;
    private bool removeExtraWhitespaces = true;
    private bool escapeWhitespaces = true;
    private int modelType = 1;
    private float minScore = float.MaxValue;
    private float maxScore = float.MinValue;

    public int UnknownId { get; private set; }

    public int BosId { get; private set; } = 1;

    public int EosId { get; private set; } = 2;

    public int PadId { get; private set; } = -1;

    public bool ByteFallback { get; private set; }

    public int Count => pieces.Count;

    public int? PieceToId(string piece) => pieceIds.TryGetValue(piece, out var id) ? id : null;

    public static SentencePieceModel Load(string path)
    {
        var model = new SentencePieceModel();
        try
        {
            model.Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidDataException or OverflowException)
        {
            throw new InvalidDataException($"{path} is not a SentencePiece model ({e.Message})", e);
        }
        if (model.pieces.Count == 0) throw new InvalidDataException($"{path} is not a SentencePiece model (no pieces)");
        if (model.modelType != 1) throw new NotSupportedException($"{path}: only unigram SentencePiece models are supported (model_type {model.modelType})");
        model.Build();
        return model;
    }

    public string IdToPiece(int id) => pieces[id].Piece;

    /// <summary>Ids of <paramref name="text"/> as <c>SentencePieceProcessor.encode(text)</c> (no BOS/EOS).</summary>
    public List<int> Encode(string text)
    {
        var normalized = Encoding.UTF8.GetString(Normalize(Encoding.UTF8.GetBytes(text)));
        var ids = new List<int>();
        var previousUnknown = false;
        foreach (var (start, end, id) in Viterbi(normalized))
        {
            var unknown = id == UnknownId;
            // Runs of unknown characters form one unknown piece (its bytes, with byte fallback).
            if (unknown && ByteFallback) AddBytes(normalized[start..end], ids);
            else if (!(unknown && previousUnknown)) ids.Add(id);
            previousUnknown = unknown;
        }
        return ids;
    }

    private void AddBytes(string text, List<int> ids)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text))
            ids.Add(byteIds.TryGetValue(b, out var id) ? id : UnknownId);
    }

    // Best segmentation by total score over character positions. Pieces are whole characters, so matching
    // substrings at character starts is the library's byte-trie walk; candidates are visited in the same order
    // (by start, then by end) and only a strictly better score replaces a node, so ties resolve identically.
    private List<(int Start, int End, int Id)> Viterbi(string text)
    {
        var size = text.Length;
        var bestScore = new float[size + 1];
        var bestStart = new int[size + 1];
        var bestId = new int[size + 1];
        Array.Fill(bestStart, -1);
        var unknownScore = minScore - UnknownPenalty;

        for (var start = 0; start < size;)
        {
            var charLength = char.IsHighSurrogate(text[start]) && start + 1 < size && char.IsLowSurrogate(text[start + 1]) ? 2 : 1;
            var scoreHere = bestScore[start];
            var hasSingle = false;
            var limit = Math.Min(longestPiece, size - start);
            for (var length = 1; length <= limit; length++)
            {
                if (!matchable.TryGetValue(text.Substring(start, length), out var id)) continue;
                var end = start + length;
                var score = pieces[id].Type == PieceType.UserDefined ? Encoding.UTF8.GetByteCount(text.AsSpan(start, length)) * maxScore - 0.1f : pieces[id].Score;
                var candidate = score + scoreHere;
                if (bestStart[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = id;
                }
                if (length == charLength) hasSingle = true;
            }
            if (!hasSingle)
            {
                var end = start + charLength;
                var candidate = unknownScore + scoreHere;
                if (bestStart[end] == -1 || candidate > bestScore[end])
                {
                    bestScore[end] = candidate;
                    bestStart[end] = start;
                    bestId[end] = UnknownId;
                }
            }
            start += charLength;
        }

        var path = new List<(int, int, int)>();
        for (var end = size; end > 0; end = bestStart[end]) path.Add((bestStart[end], end, bestId[end]));
        path.Reverse();
        return path;
    }

    private static int Utf8Length(byte lead) => lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;

    // sentencepiece's Normalizer::Normalize: longest precompiled-map rewrite per step, leading/trailing and repeated
    // spaces dropped, "▁" for spaces and as a dummy prefix.
    private byte[] Normalize(byte[] input)
    {
        var output = new List<byte>(input.Length + 8);
        var space = escapeWhitespaces ? "▁"u8.ToArray() : " "u8.ToArray();
        var position = 0;
        if (removeExtraWhitespaces)
        {
            while (position < input.Length)
            {
                var (replacement, consumed) = NormalizePrefix(input, position);
                if (!(replacement.Length == 1 && replacement[0] == (byte)' ')) break;
                position += consumed;
            }
        }
        if (position >= input.Length) return [];
        if (addDummyPrefix) output.AddRange(space);

        var previousSpace = removeExtraWhitespaces;
        while (position < input.Length)
        {
            var (replacement, consumed) = NormalizePrefix(input, position);
            var offset = 0;
            while (previousSpace && offset < replacement.Length && replacement[offset] == (byte)' ') offset++;
            if (offset < replacement.Length)
            {
                for (var i = offset; i < replacement.Length; i++)
                {
                    if (escapeWhitespaces && replacement[i] == (byte)' ') output.AddRange(space);
                    else output.Add(replacement[i]);
                }
                previousSpace = replacement[^1] == (byte)' ';
            }
            position += consumed;
            if (!removeExtraWhitespaces) previousSpace = false;
        }
        if (removeExtraWhitespaces)
        {
            while (output.Count >= space.Length && output.Skip(output.Count - space.Length).SequenceEqual(space))
                output.RemoveRange(output.Count - space.Length, space.Length);
        }
        return [.. output];
    }

    private (byte[] Replacement, int Consumed) NormalizePrefix(byte[] input, int position)
    {
        var (length, value) = charsMapTrie.Length == 0 ? (0, 0) : LongestCharsMapMatch(input, position);
        if (length > 0)
        {
            var end = Array.IndexOf(charsMapStrings, (byte)0, value);
            return (charsMapStrings[value..(end < 0 ? charsMapStrings.Length : end)], length);
        }
        var charLength = Math.Min(Utf8Length(input[position]), input.Length - position);
        return (input[position..(position + charLength)], charLength);
    }

    // Longest common-prefix match in the Darts-clone double array of the precompiled character map.
    private (int Length, int Value) LongestCharsMapMatch(byte[] input, int position)
    {
        var units = charsMapTrie;
        uint nodePosition = 0;
        var unit = units[0];
        nodePosition ^= Offset(unit);
        (int, int) best = (0, 0);
        for (var i = position; i < input.Length; i++)
        {
            var label = input[i];
            if (label == 0) break;
            nodePosition ^= label;
            unit = units[nodePosition];
            if ((unit & ((1u << 31) | 0xFF)) != label) break;
            nodePosition ^= Offset(unit);
            if (((unit >> 8) & 1) != 0) best = (i - position + 1, (int)(units[nodePosition] & ((1u << 31) - 1)));
        }
        return best;
    }

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);

    private void Build()
    {
        for (var id = 0; id < pieces.Count; id++)
        {
            var (piece, score, type) = pieces[id];
            pieceIds.TryAdd(piece, id);
            if (type == PieceType.Normal)
            {
                minScore = Math.Min(minScore, score);
                maxScore = Math.Max(maxScore, score);
            }
            if ((type is PieceType.Normal or PieceType.UserDefined) && piece.Length > 0 && matchable.TryAdd(piece, id))
                longestPiece = Math.Max(longestPiece, piece.Length);
            if (type == PieceType.Byte && piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal))
                byteIds[Convert.ToByte(piece[3..5], 16)] = id;
        }
    }

    private void Parse(byte[] data)
    {
        var reader = new ProtoReader(data);
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case 1 when wire == 2: ParsePiece(reader.Bytes()); break;
                case 2 when wire == 2: ParseTrainerSpec(reader.Bytes()); break;
                case 3 when wire == 2: ParseNormalizerSpec(reader.Bytes()); break;
                default: reader.Skip(wire); break;
            }
        }
    }

    private void ParsePiece(byte[] data)
    {
        var reader = new ProtoReader(data);
        string piece = "";
        var score = 0f;
        var type = PieceType.Normal;
        while (reader.Next(out var field, out var wire))
        {
            if (field == 1 && wire == 2) piece = Encoding.UTF8.GetString(reader.Bytes());
            else if (field == 2 && wire == 5) score = reader.Float();
            else if (field == 3 && wire == 0) type = (PieceType)reader.Varint();
            else reader.Skip(wire);
        }
        pieces.Add((piece, score, type));
    }

    private void ParseTrainerSpec(byte[] data)
    {
        var reader = new ProtoReader(data);
        while (reader.Next(out var field, out var wire))
        {
            if (wire != 0) { reader.Skip(wire); continue; }
            var value = (long)reader.Varint();
            switch (field)
            {
                case 3: modelType = (int)value; break;
                case 35: ByteFallback = value != 0; break;
                case 40: UnknownId = (int)value; break;
                case 41: BosId = (int)value; break;
                case 42: EosId = (int)value; break;
                case 43: PadId = (int)value; break;
            }
        }
    }

    private void ParseNormalizerSpec(byte[] data)
    {
        var reader = new ProtoReader(data);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 2 && wire == 2) ReadCharsMap(reader.Bytes());
            else if (field == 3 && wire == 0) addDummyPrefix = reader.Varint() != 0;
            else if (field == 4 && wire == 0) removeExtraWhitespaces = reader.Varint() != 0;
            else if (field == 5 && wire == 0) escapeWhitespaces = reader.Varint() != 0;
            else reader.Skip(wire);
        }
    }

    // precompiled_charsmap: uint32 trie size in bytes, the double array, then NUL-terminated replacement strings.
    private void ReadCharsMap(byte[] blob)
    {
        if (blob.Length == 0) return;
        var trieBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob);
        charsMapTrie = new uint[trieBytes / 4];
        for (var i = 0; i < charsMapTrie.Length; i++) charsMapTrie[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + 4 * i));
        charsMapStrings = blob[(4 + trieBytes)..];
    }
}
