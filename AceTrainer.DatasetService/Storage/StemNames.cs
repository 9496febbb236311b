using System.Globalization;
using System.Text;

namespace AceTrainer.DatasetService.Storage;

/// <summary>Stems are file-name safe everywhere ([A-Za-z0-9_-], at most 100 characters) so they can name blobs and zip entries.</summary>
public static class StemNames
{
    public const int MaxLength = 100;

    public static bool IsValid(string stem) =>
        stem.Length is > 0 and <= MaxLength && stem.All(IsAllowed);

    /// <summary>Latin letters lose their accents, anything else outside the set becomes '_'; runs of '_' collapse.</summary>
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (IsAllowed(c) && c != '_')
            {
                builder.Append(c);
            }
            else if (LatinFolding.Fold(c) is { } folded)
            {
                builder.Append(folded);
            }
            else if (builder.Length == 0 || builder[^1] != '_')
            {
                builder.Append('_');
            }
        }
        var stem = builder.ToString().Trim('_');
        if (stem.Length > MaxLength)
        {
            stem = stem[..MaxLength];
        }
        return stem.Length == 0 ? "sample" : stem;
    }

    /// <summary>The n-th alternative for a taken stem: stem_2, stem_3, ... (kept within the length limit).</summary>
    public static string WithSuffix(string stem, int n)
    {
        var suffix = "_" + n.ToString(CultureInfo.InvariantCulture);
        return (stem.Length + suffix.Length > MaxLength ? stem[..(MaxLength - suffix.Length)] : stem) + suffix;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
