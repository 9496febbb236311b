using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Text;

namespace AceTrainer.AceStep.Tests.Text;

public sealed class Umt5TokenizerTests
{
    private static readonly string[] Texts =
    [
        "pop, rock, electronic, female vocals, 120 bpm",
        "The quick brown fox jumps over the lazy dog.",
        "Café naïve résumé jalapeño Straße Ångström crème brûlée",
        "音乐 流行 摇滚 日本語の歌 노래",
        "emoji 🎵🎸 and unseen ☃ ✓ symbols",
        "  leading and trailing spaces   ",
        "runs   of\t\twhitespace\nand\r\nnewlines",
        "fullwidth ＡＢＣ１２３ ligature ﬁ circled ①",
        "",
        " ",
        "a",
        "Привет мир Γειά σου مرحبا नमस्ते",
        "UPPER lower MiXeD 0123456789 !@#$%^&*()_+-=[]{};':\",./<>?",
        "zzzzqqqqxxxx never seen words like floccinaucinihilipilification",
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PiecesMatchPythonSentencePiece(bool byteFallback)
    {
        using var folder = new TempFolder();
        var texts = Texts.Concat(RandomTexts(300)).ToArray();
        var expected = TextTestData.RunPythonJson<int[][]>("text_sentencepiece.py", new { folder = folder.Path, byte_fallback = byteFallback, texts });
        var tokenizer = Umt5Tokenizer.Load(folder.Path);
        for (var i = 0; i < texts.Length; i++)
            Assert.True(expected[i].SequenceEqual(tokenizer.EncodePieces(texts[i])),
                $"'{texts[i]}': python [{string.Join(' ', expected[i])}], C# [{string.Join(' ', tokenizer.EncodePieces(texts[i]))}]");
    }

    // Strings drawn from a pool that mixes what the model knows with what it has never seen.
    private static IEnumerable<string> RandomTexts(int count)
    {
        string[] pool = ["a", "e", "o", "th", "pop", "rock", " ", "  ", "\t", "\n", ",", ".", "é", "ï", "ß", "音", "乐", "노",
            "래", "🎵", "☃", "Ａ", "１", "ﬁ", "①", "\u0301", "Я", "ω", "ي", "न", "9", "ñ", "\u00a0", "\u3000"];
        var random = new Random(11);
        for (var i = 0; i < count; i++)
            yield return string.Concat(Enumerable.Range(0, random.Next(0, 16)).Select(_ => pool[random.Next(pool.Length)]));
    }

    [Fact]
    public void EosIsAppendedTruncationKeepsItAndPaddingIsOptional()
    {
        using var folder = new TempFolder();
        TextTestData.RunPythonJson<int[][]>("text_sentencepiece.py", new { folder = folder.Path, byte_fallback = false, texts = Array.Empty<string>() });
        var tokenizer = Umt5Tokenizer.Load(folder.Path);
        Assert.Equal(1, tokenizer.EosId);

        var pieces = tokenizer.EncodePieces("pop, rock");
        var (ids, mask) = tokenizer.Encode("pop, rock");
        Assert.Equal([.. pieces.Select(p => (long)p), 1L], ids);
        Assert.All(mask, m => Assert.Equal(1L, m));

        var (empty, emptyMask) = tokenizer.Encode("");
        Assert.Equal([1L], empty);
        Assert.Equal([1L], emptyMask);

        var longText = string.Join(", ", Enumerable.Repeat("electronic female vocals", 100));
        var (cut, cutMask) = tokenizer.Encode(longText, maxLength: 16);
        Assert.Equal(16, cut.Length);
        Assert.Equal(tokenizer.EncodePieces(longText).Take(15).Select(p => (long)p), cut[..15]);
        Assert.Equal(1L, cut[15]);
        Assert.Equal(16, cutMask.Sum());

        var (padded, paddedMask) = tokenizer.Encode("pop, rock", maxLength: 12, padToMaxLength: true);
        Assert.Equal(12, padded.Length);
        Assert.Equal(ids, padded[..ids.Length]);
        Assert.All(padded[ids.Length..], p => Assert.Equal(0L, p));
        Assert.Equal(ids.Length, paddedMask.Sum());
        Assert.All(paddedMask[ids.Length..], m => Assert.Equal(0L, m));
    }

    [Fact]
    public void MissingModelIsNamed()
    {
        using var folder = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => Umt5Tokenizer.Load(folder.Path));
        Assert.Contains("spiece.model", error.Message);
        File.WriteAllText(folder.File("spiece.model"), "not a model");
        Assert.Throws<InvalidDataException>(() => Umt5Tokenizer.Load(folder.Path));
    }
}
