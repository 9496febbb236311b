namespace AceTrainer.AceStep.Preparation;

/// <summary>One training song: audio, prompt tags, lyrics (empty for instrumentals).</summary>
public sealed record TrainingSample(string Key, string AudioPath, IReadOnlyList<string> Tags, string Lyrics, bool Instrumental)
{
    /// <summary>Tags as upstream joins them (", "), "music" when there are none.</summary>
    public string Prompt => Tags.Count == 0 ? "music" : string.Join(", ", Tags);

    public static IReadOnlyList<string> SplitTags(string prompt) =>
        prompt.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Reads samples from a folder (recursively) in the upstream layout (NAME.mp3, NAME_prompt.txt, NAME_lyrics.txt)
/// or SimpleTuner's (NAME.&lt;audio ext&gt;, NAME.txt, NAME.lyrics). Lyrics "[instrumental]"/"[inst]" or none mark
/// an instrumental.
/// </summary>
public static class DatasetFolder
{
    private static readonly HashSet<string> AudioExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp3", ".wav", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".aif", ".aiff", ".wma", ".webm", ".mka",
    };

    public static IReadOnlyList<TrainingSample> Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"dataset folder not found: {folder}");
        var samples = new List<TrainingSample>();
        var missingPrompt = new List<string>();
        foreach (var audio in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!AudioExtensions.Contains(Path.GetExtension(audio))) continue;
            var stem = Path.Combine(Path.GetDirectoryName(audio)!, Path.GetFileNameWithoutExtension(audio));
            var prompt = FirstExisting(stem + "_prompt.txt", stem + ".txt");
            if (prompt is null)
            {
                missingPrompt.Add(Path.GetRelativePath(folder, audio));
                continue;
            }
            var lyricsPath = FirstExisting(stem + "_lyrics.txt", stem + ".lyrics");
            var lyrics = lyricsPath is null ? "" : File.ReadAllText(lyricsPath).Trim();
            var instrumental = lyrics.Length == 0 || lyrics.Equals("[instrumental]", StringComparison.OrdinalIgnoreCase) || lyrics.Equals("[inst]", StringComparison.OrdinalIgnoreCase);
            var key = Path.GetRelativePath(folder, stem).Replace('\\', '/');
            samples.Add(new TrainingSample(key, audio, TrainingSample.SplitTags(File.ReadAllText(prompt)), instrumental ? "" : lyrics, instrumental));
        }
        if (missingPrompt.Count > 0)
            throw new InvalidDataException($"{folder}: no prompt file (NAME_prompt.txt or NAME.txt) for {string.Join(", ", missingPrompt.Take(10))}");
        if (samples.Count == 0) throw new InvalidDataException($"{folder} holds no audio files");
        var duplicates = samples.GroupBy(s => s.Key, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0) throw new InvalidDataException($"{folder}: several audio files share the name {string.Join(", ", duplicates)}");
        return samples;
    }

    private static string? FirstExisting(params string[] paths) => paths.FirstOrDefault(File.Exists);
}
