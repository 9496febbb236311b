namespace AceTrainer.TestSupport;

/// <summary>The shared ACE-Step reference data (../shared/reference/ace-step-data beside the repository; read, never copied in).</summary>
public static class SharedReference
{
    /// <summary>
    /// A file of ace-step-data: the nearest ancestor of the repository root with shared/reference/ace-step-data
    /// (a git worktree may sit one level deeper than the main checkout).
    /// </summary>
    public static string File(string name)
    {
        var root = AzuriteServer.FindRepoRoot();
        for (var dir = Directory.GetParent(root); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "reference", "ace-step-data", name);
            if (System.IO.File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"shared reference file {name} not found in ../shared/reference/ace-step-data above {root}", name);
    }

    /// <summary>ACE-Step's lyric vocabulary (acestep/models/lyrics_utils/vocab.json).</summary>
    public static string LyricVocabulary => File("lyrics_vocab.json");
}
