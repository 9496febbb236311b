using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Text;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Text;

public sealed class TextConditioningTests
{
    // An ACE-Step-shaped checkpoint folder with a tiny umt5-base (random encoder, tiny trained SentencePiece model).
    private static string MakeCheckpoint(TempFolder root)
    {
        var umt5 = Path.Combine(root.Path, "umt5-base");
        Directory.CreateDirectory(umt5);
        TextTestData.RunPythonJson<int[][]>("text_sentencepiece.py", new { folder = umt5, byte_fallback = false, texts = Array.Empty<string>() });
        Torch.ManualSeed(9);
        using var encoder = Umt5Encoder.Tiny();
        encoder.Config.Save(Path.Combine(umt5, "config.json"));
        encoder.SaveSafeTensors(Path.Combine(umt5, "model.safetensors"));
        return root.Path;
    }

    [Fact]
    public void PromptGivesHiddenStatesAndMaskOfItsTokens()
    {
        using var root = new TempFolder();
        using var conditioning = TextConditioning.Load(MakeCheckpoint(root), TextTestData.VocabPath);
        using var scope = new DisposeScope();

        var (hidden, mask) = conditioning.EncodePrompt("pop, rock, female vocals");
        var (ids, _) = conditioning.PromptTokenizer.Encode("pop, rock, female vocals");
        Assert.Equal([ids.Length, 32L], hidden.Shape);
        Assert.Equal(Enumerable.Repeat(1L, ids.Length), mask.ToArray<long>());

        using var noGrad = Torch.NoGrad();
        var direct = conditioning.TextEncoder.Forward(Tensor.From(ids, 1, ids.Length), Tensor.From(Enumerable.Repeat(1L, ids.Length).ToArray(), 1, ids.Length));
        Assert.Equal(direct.ToArray<float>(), hidden.ToArray<float>());
    }

    [Fact]
    public void LongPromptsAreCutLikeUpstream()
    {
        using var root = new TempFolder();
        using var conditioning = TextConditioning.Load(MakeCheckpoint(root), TextTestData.VocabPath);
        using var scope = new DisposeScope();
        var prompt = string.Join(", ", Enumerable.Repeat("electronic, female vocals, 音乐", 60));
        var (hidden, mask) = conditioning.EncodePrompt(prompt);
        var expected = conditioning.PromptTokenizer.Encode(TextConditioning.CutToCodePoints(prompt, 256)).Ids.Length;
        Assert.Equal(expected, hidden.Size(0));
        Assert.True(expected <= 256);
        Assert.Equal("a🎵b", TextConditioning.CutToCodePoints("a🎵bc", 3));
    }

    [Fact]
    public void PromptFromTagsFollowsUpstream()
    {
        Assert.Equal("music", TextConditioning.PromptFromTags([]));
        Assert.Equal("pop, rock", TextConditioning.PromptFromTags(["pop", "rock"]));
        var tags = Enumerable.Range(0, 100).Select(i => $"tag{i}").ToArray();
        var shuffled = TextConditioning.PromptFromTags(tags, new Random(1));
        Assert.Equal(256, shuffled.Length);
        Assert.NotEqual(TextConditioning.PromptFromTags(tags), shuffled);
        var pieces = shuffled.Split(", ");
        Assert.All(pieces[..^1], piece => Assert.Contains(piece, tags));
        Assert.Equal(pieces.Length - 1, pieces[..^1].Distinct().Count());
    }

    [Fact]
    public void LyricsAndTheEmptyForm()
    {
        using var root = new TempFolder();
        using var conditioning = TextConditioning.Load(MakeCheckpoint(root), TextTestData.VocabPath);
        using var scope = new DisposeScope();

        var (ids, mask) = conditioning.EncodeLyrics("[verse]\nhello world");
        Assert.Equal(conditioning.LyricTokenizer.Encode("[verse]\nhello world"), ids.ToArray<long>());
        Assert.Equal(DType.Float32, mask.DType);
        Assert.All(mask.ToArray<float>(), m => Assert.Equal(1f, m));

        foreach (var (lyrics, instrumental) in new[] { ((string?)null, false), ("  ", false), ("[verse]\nla la", true) })
        {
            var (emptyIds, emptyMask) = conditioning.EncodeLyrics(lyrics, instrumental: instrumental);
            Assert.Equal([0L], emptyIds.ToArray<long>());
            Assert.Equal([1f], emptyMask.ToArray<float>());
        }
    }

    [Fact]
    public void MissingTextEncoderFolderIsNamed()
    {
        using var root = new TempFolder();
        var error = Assert.Throws<DirectoryNotFoundException>(() => TextConditioning.Load(root.Path, TextTestData.VocabPath));
        Assert.Contains("umt5-base", error.Message);
    }
}
