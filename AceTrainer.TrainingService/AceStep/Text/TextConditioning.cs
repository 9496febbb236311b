using System.Text;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// What the data preparation step caches per sample for the text and lyric conditioning, in upstream's form:
/// the UMT5 last hidden state of the prompt with its mask, and the lyric token ids with their mask.
/// </summary>
public sealed class TextConditioning : IDisposable
{
    /// <summary>Upstream cuts the prompt to 256 characters (code points) before tokenizing.</summary>
    public const int PromptMaxCharacters = 256;

    /// <summary>UMT5 token limit of upstream's text encoder call.</summary>
    public const int PromptMaxTokens = 256;

    public const string TextEncoderFolder = "umt5-base";

    public TextConditioning(Umt5Tokenizer promptTokenizer, Umt5Encoder textEncoder, LyricTokenizer lyricTokenizer)
    {
        PromptTokenizer = promptTokenizer;
        TextEncoder = textEncoder;
        LyricTokenizer = lyricTokenizer;
    }

    public Umt5Tokenizer PromptTokenizer { get; }

    public Umt5Encoder TextEncoder { get; }

    public LyricTokenizer LyricTokenizer { get; }

    /// <summary>
    /// Reads <c>umt5-base/</c> (spiece.model, config.json, model.safetensors) under an ACE-Step checkpoint folder and
    /// the lyric vocabulary (<c>acestep/models/lyrics_utils/vocab.json</c>). Upstream runs the encoder in float32.
    /// </summary>
    public static TextConditioning Load(string checkpointRoot, string lyricVocabPath, Device? device = null, DType? dtype = null)
    {
        var folder = Path.Combine(checkpointRoot, TextEncoderFolder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"text encoder folder not found: {folder} (an ACE-Step checkpoint has {TextEncoderFolder}/)");
        var lyrics = LyricTokenizer.Load(lyricVocabPath);
        var tokenizer = Umt5Tokenizer.Load(folder);
        return new TextConditioning(tokenizer, Umt5Encoder.FromPretrained(folder, device, dtype), lyrics);
    }

    /// <summary>
    /// Prompt hidden states [S, d_model] and mask [S] (int64 ones, as HF's attention_mask), on the CPU, for one
    /// prompt encoded alone (so no padding, S = tokens + &lt;/s&gt; &lt;= 256).
    /// </summary>
    public (Tensor HiddenStates, Tensor Mask) EncodePrompt(string prompt)
    {
        var (ids, mask) = PromptTokenizer.Encode(CutToCodePoints(prompt, PromptMaxCharacters), PromptMaxTokens);
        var device = TextEncoder.shared.weight.Device;
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        var idTensor = Tensor.From(ids, 1, ids.Length).To(device);
        var maskTensor = Tensor.From(mask, 1, mask.Length).To(device);
        var hidden = TextEncoder.Forward(idTensor, maskTensor).Squeeze(0).To(Device.Cpu);
        var cpuMask = Tensor.From(mask, mask.Length);
        return (scope.MoveOut(hidden), scope.MoveOut(cpuMask));
    }

    /// <summary>
    /// Lyric ids [L] (int64) and mask [L] (float32 ones, as upstream's <c>torch.ones</c>). Instrumental tracks and
    /// empty lyrics give upstream's empty form: ids [0], mask [1].
    /// </summary>
    public (Tensor Ids, Tensor Mask) EncodeLyrics(string? lyrics, string language = "en", bool instrumental = false)
    {
        long[] ids = instrumental || string.IsNullOrWhiteSpace(lyrics) ? [LyricTokenizer.StopId] : LyricTokenizer.Encode(lyrics, language);
        using var scope = new DisposeScope();
        var mask = Tensor.Ones([ids.Length]);
        return (scope.MoveOut(Tensor.From(ids, ids.Length)), scope.MoveOut(mask));
    }

    /// <summary>
    /// Upstream's training prompt from a sample's tags: no tags -> "music", tags shuffled (with
    /// <paramref name="random"/>; none keeps their order), joined with ", ", cut to 256 code points.
    /// </summary>
    public static string PromptFromTags(IEnumerable<string> tags, Random? random = null)
    {
        var list = tags.ToArray();
        if (list.Length == 0) list = ["music"];
        random?.Shuffle(list);
        return CutToCodePoints(string.Join(", ", list), PromptMaxCharacters);
    }

    /// <summary>Python's <c>text[:n]</c>: the first <paramref name="count"/> Unicode code points.</summary>
    public static string CutToCodePoints(string text, int count)
    {
        var builder = new StringBuilder();
        var taken = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (taken++ == count) break;
            builder.Append(rune.ToString());
        }
        return builder.ToString();
    }

    public void Dispose() => TextEncoder.Dispose();
}
