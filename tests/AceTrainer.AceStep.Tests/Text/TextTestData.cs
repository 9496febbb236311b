using System.Diagnostics;
using System.Text.Json;

namespace AceTrainer.AceStep.Tests.Text;

/// <summary>Paths of the shared ACE-Step reference data and a JSON-in/JSON-out way to call the python references.</summary>
internal static class TextTestData
{
    public static string RepoRoot
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
        var root = RepoRoot;
        for (var dir = Directory.GetParent(root); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "reference", "ace-step-data", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"shared reference file {name} not found in ../shared/reference/ace-step-data above {root}", name);
    }

    public static string VocabPath => SharedData("lyrics_vocab.json");

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    /// <summary>Runs python/<paramref name="script"/> with <paramref name="request"/> as JSON on stdin and parses its JSON answer.</summary>
    public static T RunPythonJson<T>(string script, object request)
    {
        var start = new ProcessStartInfo(Support.Python.Interpreter)
        {
            WorkingDirectory = Support.Python.ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(Support.Python.ScriptDirectory, script));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(JsonSerializer.Serialize(request));
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {stderr.Result} "
                + "(needs Debian python3-num2words / python3-sentencepiece / python3-torch as the test says)");
        return JsonSerializer.Deserialize<T>(stdout.Result) ?? throw new InvalidOperationException($"{script} printed no JSON");
    }
}
