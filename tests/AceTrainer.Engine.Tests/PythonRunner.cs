using System.Diagnostics;

namespace AceTrainer.Engine.Tests;

/// <summary>Runs the scripts under python/ with Debian's interpreter (the one that has torch).</summary>
internal static class PythonRunner
{
    public const string Interpreter = "/usr/bin/python3";

    public static string ScriptDirectory => Path.Combine(AppContext.BaseDirectory, "python");

    public static string Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Interpreter)
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(ScriptDirectory, script));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }
}
