namespace AceTrainer.AppHost.Processes;

/// <summary>Everything needed to start one child: its name in the logs, program, arguments, folder and extra environment.</summary>
public sealed record LaunchSpec(
    string Name,
    string Program,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string?> Environment)
{
    public string CommandLine => string.Join(' ', Arguments.Prepend(Program));
}
