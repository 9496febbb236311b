namespace AceTrainer.DatasetService.Ingest;

/// <summary>File extensions we recognise as audio in archives, and the content types we serve them with.</summary>
public static class AudioFormats
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".mp3"] = "audio/mpeg",
        [".wav"] = "audio/wav",
        [".flac"] = "audio/flac",
        [".ogg"] = "audio/ogg",
        [".oga"] = "audio/ogg",
        [".opus"] = "audio/ogg",
        [".m4a"] = "audio/mp4",
        [".aac"] = "audio/aac",
        [".aiff"] = "audio/aiff",
        [".aif"] = "audio/aiff",
        [".wma"] = "audio/x-ms-wma",
        [".webm"] = "audio/webm",
        [".mka"] = "audio/x-matroska",
    };

    public static bool IsAudioFileName(string name) => ContentTypes.ContainsKey(Path.GetExtension(name));

    public static string ContentType(string fileName) =>
        ContentTypes.GetValueOrDefault(Path.GetExtension(fileName), "application/octet-stream");

    /// <summary>The lower-cased extension if it is short and plain, else "" (it ends up in a blob name).</summary>
    public static string Extension(string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        return extension.Length is > 1 and <= 6 && extension.Skip(1).All(char.IsAsciiLetterOrDigit) ? extension : "";
    }
}
