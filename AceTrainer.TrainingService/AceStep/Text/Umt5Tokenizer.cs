namespace AceTrainer.AceStep.Text;

/// <summary>
/// The UMT5 prompt tokenizer: the checkpoint's SentencePiece unigram model (<c>umt5-base/spiece.model</c>, read by
/// <see cref="SentencePieceModel"/>; Microsoft.ML.Tokenizers 2.0.1 cannot load T5 models, whose bos_id is -1),
/// with T5 conventions: no BOS, <c>&lt;/s&gt;</c> (id 1) appended, truncation that keeps room for it, pad id 0.
/// <para>
/// Upstream (trainer.py / pipeline_ace_step.py) calls the HF tokenizer with <c>padding=True, truncation=True,
/// max_length=256</c>: "longest" padding, so a single prompt is not padded at all and its mask is all ones.
/// <see cref="Encode"/> does the same unless <c>padToMaxLength</c> asks for a fixed length (pad 0, mask 0).
/// </para>
/// <para>
/// This is the slow (sentencepiece) T5 tokenizer's segmentation. HF's fast tokenizer, which <c>AutoTokenizer</c>
/// prefers, rebuilds normalizer and pre-tokenizer from the same model and can differ on whitespace edge cases
/// (leading or repeated whitespace); it was not available here to compare. Literal special-token text such as
/// "&lt;/s&gt;" inside a prompt is segmented as text, not matched as a token.
/// </para>
/// </summary>
public sealed class Umt5Tokenizer
{
    public const string ModelFileName = "spiece.model";
    public const int PadId = 0;

    private readonly SentencePieceModel tokenizer;

    private Umt5Tokenizer(SentencePieceModel tokenizer) => this.tokenizer = tokenizer;

    /// <summary>Id of <c>&lt;/s&gt;</c> as the model declares it (1 for T5/UMT5).</summary>
    public int EosId => tokenizer.EosId;

    public int UnknownId => tokenizer.UnknownId;

    /// <summary>Reads <c>spiece.model</c> from <paramref name="folder"/> (the checkpoint's <c>umt5-base</c>) or from a path to the file.</summary>
    public static Umt5Tokenizer Load(string folder)
    {
        var path = File.Exists(folder) ? folder : Path.Combine(folder, ModelFileName);
        if (!File.Exists(path))
        {
            var fastOnly = File.Exists(Path.Combine(folder, "tokenizer.json")) ? "; only tokenizer.json is there, which is not read" : "";
            throw new FileNotFoundException($"UMT5 tokenizer model not found: {path} (the checkpoint's umt5-base folder holds {ModelFileName}{fastOnly})", path);
        }
        return new Umt5Tokenizer(SentencePieceModel.Load(path));
    }

    /// <summary>SentencePiece ids of <paramref name="text"/> without <c>&lt;/s&gt;</c> (as <c>sp.encode(text)</c>).</summary>
    public IReadOnlyList<int> EncodePieces(string text) => tokenizer.Encode(text);

    /// <summary>
    /// Prompt ids with <c>&lt;/s&gt;</c> and the attention mask. Longer texts keep their first <c>maxLength - 1</c>
    /// pieces; with <paramref name="padToMaxLength"/> the result is exactly <paramref name="maxLength"/> long.
    /// </summary>
    public (long[] Ids, long[] Mask) Encode(string text, int maxLength = 256, bool padToMaxLength = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var pieces = EncodePieces(text);
        var kept = Math.Min(pieces.Count, maxLength - 1);
        var length = padToMaxLength ? maxLength : kept + 1;
        var ids = new long[length];
        var mask = new long[length];
        for (var i = 0; i < kept; i++) ids[i] = pieces[i];
        ids[kept] = EosId;
        for (var i = 0; i <= kept; i++) mask[i] = 1;
        for (var i = kept + 1; i < length; i++) ids[i] = PadId;
        return (ids, mask);
    }
}
