using System.Text.RegularExpressions;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// ACE-Step v1 lyric token ids: [START]=261, then per line the language tag, the cleaned line's BPE ids and
/// [SPACE]=2 (a blank line is a lone 2); lines that start with a bracketed tag ("[Verse]", "[chorus]") are cleaned
/// as English so known structure tags become their own ids (6681..6692). Empty lyrics are [0]; at most 4096 ids.
/// <para>
/// The language is given, not detected. Upstream training detects it with LangSegment/py3langid, which can tag
/// a line with another language and, on segment boundaries, add extra 2s and split words at inner capitals;
/// see README "Text" for what this means. Supported: see <see cref="SupportedLanguages"/>; Chinese, Japanese and
/// Korean need transliterators and throw <see cref="NotSupportedException"/>.
/// </para>
/// </summary>
public sealed partial class LyricTokenizer
{
    public const int StopId = 0;
    public const int UnknownId = 1;
    public const int SpaceId = 2;
    public const int StartId = 261;
    public const int MaxLength = 4096;

    /// <summary>Languages ACE-Step's training data set accepts, with the id of their tag.</summary>
    public static IReadOnlyDictionary<string, int> UpstreamLanguages { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["en"] = 259, ["de"] = 260, ["fr"] = 262, ["es"] = 284, ["it"] = 285, ["pt"] = 286, ["pl"] = 294, ["tr"] = 295,
        ["ru"] = 267, ["cs"] = 293, ["nl"] = 297, ["ar"] = 5022, ["zh"] = 5023, ["ja"] = 5412, ["hu"] = 5753, ["ko"] = 6152,
        ["hi"] = 6680,
    };

    /// <summary>
    /// Languages this implementation cleans exactly as upstream: English fully; Hindi (lowercase + whitespace);
    /// the other num2words languages for lines without digits (a line with digits throws).
    /// </summary>
    public static IReadOnlyList<string> SupportedLanguages { get; } = ["en", "hi", .. LyricCleaner.MultilingualLanguages.Order(StringComparer.Ordinal)];

    public LyricTokenizer(LyricBpe bpe) => Bpe = bpe;

    public LyricBpe Bpe { get; }

    /// <summary>Reads a tokenizers JSON vocabulary (ACE-Step's <c>acestep/models/lyrics_utils/vocab.json</c>).</summary>
    public static LyricTokenizer Load(string vocabJsonPath) => new(LyricBpe.Load(vocabJsonPath));

    /// <summary>The ids the trainer feeds for one song's lyrics (file content; surrounding whitespace is ignored).</summary>
    public long[] Encode(string lyrics, string language = "en")
    {
        language = CheckLanguage(language);
        var text = LyricCleaner.PythonStrip(lyrics);
        if (text.Length == 0 || PromptInsteadOfLyrics().IsMatch(text)) return [StopId];

        var ids = new List<long> { StartId };
        foreach (var rawLine in text.Split('\n'))
        {
            var line = LyricCleaner.PythonStrip(rawLine);
            if (line.Length == 0)
            {
                ids.Add(SpaceId);
                continue;
            }
            ids.AddRange(EncodeLine(line, StructureTag().IsMatch(line) ? "en" : language).Select(i => (long)i));
            ids.Add(SpaceId);
            if (ids.Count >= MaxLength) break;
        }
        return ids.Count > MaxLength ? ids.GetRange(0, MaxLength).ToArray() : ids.ToArray();
    }

    /// <summary>One line as upstream's <c>VoiceBpeTokenizer.encode(line, lang)</c>: tag, cleaned text, spaces as [SPACE].</summary>
    public List<int> EncodeLine(string line, string language)
    {
        language = CheckLanguage(language);
        var cleaned = language switch
        {
            "en" => LyricCleaner.English(line),
            "hi" => LyricCleaner.Basic(line),
            _ => LyricCleaner.Multilingual(line, language),
        };
        return Bpe.Encode($"[{language}]{cleaned}".Replace(" ", "[SPACE]", StringComparison.Ordinal));
    }

    private static string CheckLanguage(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        var code = language.Split('-')[0].ToLowerInvariant();
        if (SupportedLanguages.Contains(code)) return code;
        var supported = string.Join(", ", SupportedLanguages);
        if (UpstreamLanguages.ContainsKey(code))
            throw new NotSupportedException($"lyrics language '{language}' is not supported by this tokenizer (upstream transliterates it "
                + $"with pypinyin, cutlet or hangul_romanize, which are not ported); supported: {supported}");
        throw new NotSupportedException($"lyrics language '{language}' is unknown to ACE-Step; supported: {supported}");
    }

    // Upstream drops a sample's lyrics when they are really a generation prompt.
    [GeneratedRegex("write a .* song that genre is")]
    private static partial Regex PromptInsteadOfLyrics();

    [GeneratedRegex(@"^\[.*?\]")]
    private static partial Regex StructureTag();
}
