using System.Text;

namespace AceTrainer.DatasetService.Zip;

/// <summary>Text files in archives: UTF-8 with or without BOM, UTF-16 LE/BE with BOM. Anything else is refused, not guessed.</summary>
public static class TextDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding StrictUtf16Le = new(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
    private static readonly UnicodeEncoding StrictUtf16Be = new(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);

    /// <summary>The text, or null with <paramref name="error"/> saying why it could not be read.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> bytes, out string? error)
    {
        error = null;
        var (encoding, bom, name) = bytes switch
        {
            [0xEF, 0xBB, 0xBF, ..] => ((Encoding)StrictUtf8, 3, "UTF-8"),
            [0xFF, 0xFE, ..] => (StrictUtf16Le, 2, "UTF-16 LE"),
            [0xFE, 0xFF, ..] => (StrictUtf16Be, 2, "UTF-16 BE"),
            _ => (StrictUtf8, 0, "UTF-8"),
        };
        try
        {
            var text = encoding.GetString(bytes[bom..]);
            if (text.Contains('\0'))
            {
                error = "the text contains NUL characters (UTF-16 without a byte order mark, or a binary file)";
                return null;
            }
            return text.Replace("\r\n", "\n").Trim();
        }
        catch (DecoderFallbackException)
        {
            error = bom == 0
                ? "the text is not UTF-8 (use UTF-8, or UTF-16 with a byte order mark)"
                : $"the text is not valid {name}";
            return null;
        }
    }
}
