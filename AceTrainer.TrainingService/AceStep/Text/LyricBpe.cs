using System.Text.Json;
using System.Text.RegularExpressions;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// The BPE model of a HuggingFace <c>tokenizers</c> JSON file as ACE-Step's lyric vocabulary uses it:
/// added tokens split out first (leftmost-longest, exact case), the rest pre-tokenized like the
/// <c>Whitespace</c> pre-tokenizer (<c>\w+|[^\w\s]+</c>), then merges by rank on Unicode scalars,
/// one unknown token per character missing from the vocabulary (<c>fuse_unk</c> false).
/// </summary>
public sealed partial class LyricBpe
{
    private readonly Dictionary<string, int> vocab;
    private readonly Dictionary<(int Left, int Right), (int Rank, int Merged)> merges;
    private readonly (string Content, int Id)[] addedTokensLongestFirst;
    private readonly int unknownId;

    private LyricBpe(Dictionary<string, int> vocab, Dictionary<(int, int), (int, int)> merges, (string, int)[] added, int unknownId)
    {
        this.vocab = vocab;
        this.merges = merges;
        addedTokensLongestFirst = added;
        this.unknownId = unknownId;
    }

    /// <summary>Number of ids (highest id + 1).</summary>
    public int Size => Math.Max(vocab.Values.Max(), addedTokensLongestFirst.Max(a => a.Id)) + 1;

    public int? IdOf(string token)
    {
        foreach (var (content, id) in addedTokensLongestFirst) if (content == token) return id;
        return vocab.TryGetValue(token, out var v) ? v : null;
    }

    public static LyricBpe Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"lyric vocabulary not found: {path}", path);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.GetProperty("type").GetString() != "BPE")
            throw new InvalidDataException($"{path} is not a tokenizers JSON file with a BPE model");
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            throw new NotSupportedException($"{path}: a normalizer is not supported (ACE-Step's lyric vocabulary has none)");
        if (root.GetProperty("pre_tokenizer").GetProperty("type").GetString() != "Whitespace")
            throw new NotSupportedException($"{path}: only the Whitespace pre-tokenizer is supported");

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in model.GetProperty("vocab").EnumerateObject()) vocab[entry.Name] = entry.Value.GetInt32();

        var merges = new Dictionary<(int, int), (int, int)>();
        var rank = 0;
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            var text = merge.GetString() ?? "";
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0) throw new InvalidDataException($"{path}: malformed merge '{text}'");
            var left = text[..space];
            var right = text[(space + 1)..];
            if (!vocab.TryGetValue(left, out var l) || !vocab.TryGetValue(right, out var r) || !vocab.TryGetValue(left + right, out var m))
                throw new InvalidDataException($"{path}: merge '{text}' uses a token missing from the vocabulary");
            merges.TryAdd((l, r), (rank++, m));
        }

        var added = root.GetProperty("added_tokens").EnumerateArray()
            .Select(t => (Content: t.GetProperty("content").GetString()!, Id: t.GetProperty("id").GetInt32()))
            .OrderByDescending(t => t.Content.Length)
            .ToArray();
        var unk = model.GetProperty("unk_token").GetString()
            ?? throw new InvalidDataException($"{path}: the BPE model has no unk_token");
        if (!vocab.TryGetValue(unk, out var unknownId)) throw new InvalidDataException($"{path}: unk_token '{unk}' is not in the vocabulary");
        return new LyricBpe(vocab, merges, added, unknownId);
    }

    /// <summary>Ids of <paramref name="text"/> as <c>Tokenizer.encode(text).ids</c> gives them.</summary>
    public List<int> Encode(string text)
    {
        var ids = new List<int>();
        var start = 0;
        for (var i = 0; i < text.Length;)
        {
            var match = AddedTokenAt(text, i);
            if (match is { } token)
            {
                EncodeOrdinary(text[start..i], ids);
                ids.Add(token.Id);
                i += token.Content.Length;
                start = i;
            }
            else i++;
        }
        EncodeOrdinary(text[start..], ids);
        return ids;
    }

    private (string Content, int Id)? AddedTokenAt(string text, int index)
    {
        foreach (var token in addedTokensLongestFirst)
            if (index + token.Content.Length <= text.Length && string.CompareOrdinal(text, index, token.Content, 0, token.Content.Length) == 0)
                return token;
        return null;
    }

    private void EncodeOrdinary(string text, List<int> ids)
    {
        foreach (Match word in WhitespacePreTokenizer().Matches(text)) EncodeWord(word.Value, ids);
    }

    private void EncodeWord(string word, List<int> ids)
    {
        var symbols = new List<int>();
        foreach (var rune in word.EnumerateRunes())
            symbols.Add(vocab.TryGetValue(rune.ToString(), out var id) ? id : unknownId);

        while (symbols.Count > 1)
        {
            var bestPosition = -1;
            (int Rank, int Merged) best = (int.MaxValue, -1);
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (merges.TryGetValue((symbols[i], symbols[i + 1]), out var candidate) && candidate.Rank < best.Rank)
                {
                    best = candidate;
                    bestPosition = i;
                }
            }
            if (bestPosition < 0) break;
            symbols[bestPosition] = best.Merged;
            symbols.RemoveAt(bestPosition + 1);
        }
        ids.AddRange(symbols);
    }

    // Oniguruma's Unicode \w (letters, marks, numbers, connector punctuation), as the tokenizers library matches it.
    [GeneratedRegex(@"[\p{L}\p{M}\p{N}\p{Pc}]+|[^\p{L}\p{M}\p{N}\p{Pc}\s]+")]
    private static partial Regex WhitespacePreTokenizer();
}
