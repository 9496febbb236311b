using System.Text.RegularExpressions;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// Per-language abbreviation and symbol words of ACE-Step's lyric cleaner for the languages it cleans with
/// <c>multilingual_cleaners</c> besides English (the English ones live in <see cref="LyricCleaner"/>).
/// </summary>
internal static class LyricLanguageTables
{
    public static IReadOnlyDictionary<string, (Regex Pattern, string Replacement)[]> Abbreviations { get; } = new Dictionary<string, (Regex, string)[]>
    {
        ["es"] = Dotted(("sra", "señora"), ("sr", "señor"), ("dr", "doctor"), ("dra", "doctora"), ("st", "santo"), ("co", "compañía"), ("jr", "junior"), ("ltd", "limitada")),
        ["fr"] = Dotted(("mme", "madame"), ("mr", "monsieur"), ("dr", "docteur"), ("st", "saint"), ("co", "compagnie"), ("jr", "junior"), ("ltd", "limitée")),
        ["de"] = Dotted(("fr", "frau"), ("dr", "doktor"), ("st", "sankt"), ("co", "firma"), ("jr", "junior")),
        ["pt"] = Dotted(("sra", "senhora"), ("sr", "senhor"), ("dr", "doutor"), ("dra", "doutora"), ("st", "santo"), ("co", "companhia"), ("jr", "júnior"), ("ltd", "limitada")),
        ["it"] = Dotted(("sig", "signore"), ("dr", "dottore"), ("st", "santo"), ("co", "compagnia"), ("jr", "junior"), ("ltd", "limitata")),
        ["pl"] = Dotted(("p", "pani"), ("m", "pan"), ("dr", "doktor"), ("sw", "święty"), ("jr", "junior")),
        ["ar"] = [],
        ["cs"] = Dotted(("dr", "doktor"), ("ing", "inženýr"), ("p", "pan")),
        // Russian abbreviations end at a word boundary instead of a dot.
        ["ru"] = [.. new[] { ("г-жа", "госпожа"), ("г-н", "господин"), ("д-р", "доктор") }.Select(a => (Regex($@"{LyricCleaner.WordBoundary}{a.Item1}{LyricCleaner.WordBoundary}"), a.Item2))],
        ["nl"] = Dotted(("dhr", "de heer"), ("mevr", "mevrouw"), ("dr", "dokter"), ("jhr", "jonkheer")),
        ["tr"] = Dotted(("b", "bay"), ("byk", "büyük"), ("dr", "doktor")),
        ["hu"] = Dotted(("dr", "doktor"), ("b", "bácsi"), ("nőv", "nővér")),
    };

    public static IReadOnlyDictionary<string, (string Symbol, string Replacement)[]> Symbols { get; } = new Dictionary<string, (string, string)[]>
    {
        ["es"] = Words("y", "arroba", "por ciento", "numeral", "dolar", "libra", "grados"),
        ["fr"] = Words("et", "arobase", "pour cent", "dièse", "dollar", "livre", "degrés"),
        ["de"] = Words("und", "at", "prozent", "raute", "dollar", "pfund", "grad"),
        ["pt"] = Words("e", "arroba", "por cento", "cardinal", "dólar", "libra", "graus"),
        ["it"] = Words("e", "chiocciola", "per cento", "cancelletto", "dollaro", "sterlina", "gradi"),
        ["pl"] = Words("i", "małpa", "procent", "krzyżyk", "dolar", "funt", "stopnie"),
        ["ar"] = Words("و", "على", "في المئة", "رقم", "دولار", "جنيه", "درجة"),
        ["cs"] = Words("a", "na", "procento", "křížek", "dolar", "libra", "stupně"),
        ["ru"] = Words("и", "собака", "процентов", "номер", "доллар", "фунт", "градус"),
        ["nl"] = Words("en", "bij", "procent", "hekje", "dollar", "pond", "graden"),
        ["tr"] = Words("ve", "at", "yüzde", "diyez", "dolar", "sterlin", "derece"),
        ["hu"] = Words("és", "kukac", "százalék", "kettőskereszt", "dollár", "font", "fok"),
    };

    private static Regex Regex(string pattern) => new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static (Regex, string)[] Dotted(params (string Short, string Long)[] abbreviations) =>
        [.. abbreviations.Select(a => (Regex($@"{LyricCleaner.WordBoundary}{a.Short}\."), a.Long))];

    // Replacements for & @ % # $ £ ° in that order, each padded with spaces.
    private static (string, string)[] Words(params string[] words) =>
        [.. new[] { "&", "@", "%", "#", "$", "£", "°" }.Zip(words, (symbol, word) => (symbol, $" {word} "))];
}
