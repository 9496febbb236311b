namespace AceTrainer.DatasetService.Storage;

/// <summary>
/// ASCII stand-ins for the Latin-1 and Latin Extended-A letters. String.Normalize cannot strip accents here: with
/// invariant globalization it leaves text as it is.
/// </summary>
public static class LatinFolding
{
    private const char First = '\u00C0';

    // One character per code point from U+00C0 to U+017F: its ASCII base, '_' for a non-letter, '?' for a ligature.
    private const string Bases =
        "AAAAAA?CEEEEIIIIDNOOOOO_OUUUUY??aaaaaa?ceeeeiiiidnooooo_ouuuuy?y" +
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi??JjKkkLlLlLlL" +
        "lLlNnNnNnnNnOoOoOo??RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

    private static readonly Dictionary<char, string> Ligatures = new()
    {
        ['Æ'] = "AE", ['Þ'] = "Th", ['ß'] = "ss", ['æ'] = "ae", ['þ'] = "th",
        ['Ĳ'] = "IJ", ['ĳ'] = "ij", ['Œ'] = "OE", ['œ'] = "oe",
    };

    /// <summary>The ASCII spelling of <paramref name="c"/>, or null when it is not a letter we know.</summary>
    public static string? Fold(char c)
    {
        var index = c - First;
        if (index < 0 || index >= Bases.Length)
        {
            return null;
        }
        return Bases[index] switch
        {
            '?' => Ligatures[c],
            '_' => null,
            var letter => letter.ToString(),
        };
    }
}
