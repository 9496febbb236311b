using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// The text cleaning ACE-Step's lyric tokenizer applies to one line before BPE (its <c>multilingual_cleaners</c>
/// for English and <c>basic_cleaners</c> for Hindi), with Python's string and regex semantics where they matter:
/// Unicode whitespace as <c>str.isspace</c>, <c>str.lower</c> (incl. İ), and the rule that a failing stage
/// (e.g. a number num2words cannot say) leaves the text of that stage unchanged.
/// </summary>
public static partial class LyricCleaner
{
    private static readonly (Regex Pattern, string Replacement)[] EnglishAbbreviations =
        new (string Short, string Long)[]
        {
            ("mrs", "misess"), ("mr", "mister"), ("dr", "doctor"), ("st", "saint"), ("co", "company"), ("jr", "junior"),
            ("maj", "major"), ("gen", "general"), ("drs", "doctors"), ("rev", "reverend"), ("lt", "lieutenant"),
            ("hon", "honorable"), ("sgt", "sergeant"), ("capt", "captain"), ("esq", "esquire"), ("ltd", "limited"),
            ("col", "colonel"), ("ft", "fort"),
        }
        .Select(a => (new Regex($@"\b{a.Short}\.", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), a.Long))
        .ToArray();

    private static readonly (string Symbol, string Replacement)[] EnglishSymbols =
    [
        ("&", " and "), ("@", " at "), ("%", " percent "), ("#", " hash "), ("$", " dollar "), ("£", " pound "), ("°", " degree "),
    ];

    /// <summary>English: drop '"', lowercase, spell numbers/currency, expand abbreviations and symbols, collapse whitespace.</summary>
    public static string English(string text)
    {
        text = PythonLower(text.Replace("\"", "", StringComparison.Ordinal));
        try { text = ExpandEnglishNumbers(text); }
        catch (Exception e) when (e is OverflowException or FormatException) { }
        foreach (var (pattern, replacement) in EnglishAbbreviations) text = pattern.Replace(text, replacement);
        foreach (var (symbol, replacement) in EnglishSymbols)
        {
            text = text.Replace(symbol, replacement, StringComparison.Ordinal);
            text = text.Replace("  ", " ", StringComparison.Ordinal);
        }
        return CollapseWhitespace(PythonStrip(text));
    }

    /// <summary>Hindi (and upstream's fallback): lowercase and collapse whitespace, nothing else.</summary>
    public static string Basic(string text) => CollapseWhitespace(PythonLower(text));

    private static string ExpandEnglishNumbers(string text)
    {
        text = CommaNumber().Replace(text, m => m.Value.Replace(",", "", StringComparison.Ordinal));
        try
        {
            // Upstream swallows a failing currency stage: what was assigned before the failure stays.
            text = PoundAmount().Replace(text, m => CurrencyWords(m.Value, "GBP"));
            text = DollarAmount().Replace(text, m => CurrencyWords(m.Value, "USD"));
            text = EuroAmount().Replace(text, m => CurrencyWords(m.Value, "EUR"));
        }
        catch (Exception e) when (e is OverflowException or FormatException) { }
        text = DecimalNumber().Replace(text, m => EnglishNumberWords.Float(ParsePythonFloat(m.Value.Replace(',', '.'))));
        text = OrdinalNumber().Replace(text, m => EnglishNumberWords.Ordinal(BigInteger.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
        return Number().Replace(text, m => EnglishNumberWords.Cardinal(BigInteger.Parse(m.Value, CultureInfo.InvariantCulture)));
    }

    private static string CurrencyWords(string match, string currency)
    {
        var digits = new StringBuilder();
        foreach (var c in match.Replace(',', '.')) if (c == '.' || char.IsAsciiDigit(c)) digits.Append(c);
        var amount = ParsePythonFloat(digits.ToString());
        var words = EnglishNumberWords.Currency(amount, currency);
        if (Math.Truncate(amount) == amount)
        {
            var lastAnd = words.LastIndexOf(", ", StringComparison.Ordinal);
            if (lastAnd >= 0) words = words[..lastAnd];
        }
        return words;
    }

    // float() of a string of ASCII digits and dots: "5.", ".5" are fine, "1.2.3" and "." are errors, huge is inf.
    private static double ParsePythonFloat(string s)
    {
        if (s.Count(c => c == '.') > 1 || !s.Any(char.IsAsciiDigit))
            throw new FormatException($"could not convert string to float: '{s}'");
        return double.Parse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
    }

    /// <summary>Python's <c>str.lower()</c>: full Unicode lowercase incl. İ -> "i̇".</summary>
    public static string PythonLower(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == 0x130) builder.Append("i\u0307");
            else builder.Append(Rune.ToLowerInvariant(rune).ToString());
        }
        return builder.ToString();
    }

    /// <summary>Python's <c>str.isspace()</c> for one UTF-16 unit (all Python whitespace is in the BMP).</summary>
    public static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string PythonStrip(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsPythonSpace(text[start])) start++;
        while (end > start && IsPythonSpace(text[end - 1])) end--;
        return text[start..end];
    }

    public static string CollapseWhitespace(string text) => PythonWhitespace().Replace(text, " ");

    [GeneratedRegex(@"[\s\x1c-\x1f]+")]
    private static partial Regex PythonWhitespace();

    [GeneratedRegex(@"\b\d{1,3}(,\d{3})*(\.\d+)?\b")]
    private static partial Regex CommaNumber();

    [GeneratedRegex(@"((£[0-9\.\,]*[0-9]+)|([0-9\.\,]*[0-9]+£))")]
    private static partial Regex PoundAmount();

    [GeneratedRegex(@"((\$[0-9\.\,]*[0-9]+)|([0-9\.\,]*[0-9]+\$))")]
    private static partial Regex DollarAmount();

    [GeneratedRegex(@"(([0-9\.\,]*[0-9]+€)|((€[0-9\.\,]*[0-9]+)))")]
    private static partial Regex EuroAmount();

    [GeneratedRegex(@"([0-9]+[.,][0-9]+)")]
    private static partial Regex DecimalNumber();

    [GeneratedRegex(@"([0-9]+)(st|nd|rd|th)")]
    private static partial Regex OrdinalNumber();

    [GeneratedRegex(@"[0-9]+")]
    private static partial Regex Number();
}
