namespace AceTrainer.AceStep.Tests.Support;

/// <summary>The repository the tests run from and the shared ACE-Step reference data beside it.</summary>
internal static class Repository
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "AceTrainer.sln"))) return dir.FullName;
            throw new InvalidOperationException($"no folder with AceTrainer.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>
    /// A file of ../shared/reference/ace-step-data next to the repository (for a git worktree nested one level
    /// deeper, the nearest ancestor that has that folder).
    /// </summary>
    public static string SharedData(string name)
    {
        var root = Root;
        for (var dir = Directory.GetParent(root); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "reference", "ace-step-data", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"shared reference file {name} not found in ../shared/reference/ace-step-data above {root}", name);
    }

    /// <summary>ACE-Step's lyric vocabulary (acestep/models/lyrics_utils/vocab.json).</summary>
    public static string LyricVocabulary => SharedData("lyrics_vocab.json");
}
