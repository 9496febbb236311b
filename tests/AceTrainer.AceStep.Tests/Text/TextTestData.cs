using AceTrainer.TestSupport;
using System.Diagnostics;
using System.Text.Json;

using AceTrainer.AceStep.Tests.Support;

namespace AceTrainer.AceStep.Tests.Text;

/// <summary>Paths of the shared ACE-Step reference data and a JSON-in/JSON-out way to call the python references.</summary>
internal static class TextTestData
{
    public static string SharedData(string name) => Repository.SharedData(name);

    public static string VocabPath => Repository.LyricVocabulary;

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    /// <summary>Runs python/<paramref name="script"/> with <paramref name="request"/> as JSON on stdin and parses its JSON answer.</summary>
    public static T RunPythonJson<T>(string script, object request)
    {
        var start = new ProcessStartInfo(PythonRunner.Interpreter)
        {
            WorkingDirectory = PythonRunner.ScriptDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(PythonRunner.ScriptDirectory, script));
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
