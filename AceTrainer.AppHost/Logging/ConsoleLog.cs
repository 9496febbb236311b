using System.Text.RegularExpressions;

namespace AceTrainer.AppHost.Logging;

/// <summary>
/// Serialises all output of the AppHost and its children onto stdout, each line prefixed with its source
/// (`[redis] ...`), coloured per source when stdout is a terminal and NO_COLOR is not set.
/// </summary>
public sealed partial class ConsoleLog(bool useColor, TextWriter output)
{
    public const string AppHostName = "apphost";

    // Bright, readable on dark and light terminals; apphost itself stays bold white.
    private static readonly string[] Palette = ["\e[36m", "\e[35m", "\e[33m", "\e[32m", "\e[34m", "\e[96m", "\e[95m"];
    private const string Reset = "\e[0m";
    private const string AppHostColor = "\e[1m";
    private const string ErrorColor = "\e[1;31m";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);
    private int _prefixWidth = AppHostName.Length + 2;

    public bool UseColor { get; } = useColor;

    public static ConsoleLog ForStdout(Func<string, string?> getEnv)
    {
        var color = !System.Console.IsOutputRedirected
            && string.IsNullOrEmpty(getEnv("NO_COLOR"))
            && getEnv("TERM") != "dumb";
        var stdout = new StreamWriter(System.Console.OpenStandardOutput()) { AutoFlush = true };
        return new ConsoleLog(color, stdout);
    }

    /// <summary>Gives a child a stable colour and widens the prefix column so the messages line up.</summary>
    public void Register(string source)
    {
        lock (_lock)
        {
            _colors.TryAdd(source, Palette[_colors.Count % Palette.Length]);
            _prefixWidth = Math.Max(_prefixWidth, source.Length + 2);
        }
    }

    public void Child(string source, string line) => Write(source, StripAnsiUnlessColoured(line), isError: false);

    public void Info(string message) => Write(AppHostName, message, isError: false);

    public void Error(string message)
    {
        foreach (var line in message.Split('\n'))
        {
            Write(AppHostName, line.TrimEnd('\r'), isError: true);
        }
    }

    public void Banner(string portalUrl)
    {
        var rule = new string('=', 64);
        Info(rule);
        Info(UseColor ? $"  AceTrainer portal: \e[1;4;32m{portalUrl}{Reset}" : $"  AceTrainer portal: {portalUrl}");
        Info(rule);
    }

    private void Write(string source, string text, bool isError)
    {
        lock (_lock)
        {
            var prefix = $"[{source}]".PadRight(_prefixWidth);
            if (!UseColor)
            {
                output.WriteLine($"{prefix} {text}");
                return;
            }

            var color = source == AppHostName ? AppHostColor : _colors.GetValueOrDefault(source, AppHostColor);
            var body = isError ? $"{ErrorColor}{text}{Reset}" : text;
            output.WriteLine($"{color}{prefix}{Reset} {body}");
        }
    }

    private string StripAnsiUnlessColoured(string line) => UseColor ? line : AnsiEscape().Replace(line, "");

    [GeneratedRegex(@"\e\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();
}
