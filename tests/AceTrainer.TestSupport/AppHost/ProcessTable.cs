using System.Runtime.InteropServices;
using System.Text;

namespace AceTrainer.TestSupport.AppHost;

/// <summary>Looks at /proc directly, so a process counts as gone only when the kernel says so.</summary>
public static partial class ProcessTable
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigInt = 2;

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);

    public static void Signal(int pid, int signal) => kill(pid, signal);

    /// <summary>Alive = has a /proc entry that is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Every live process whose environment contains <paramref name="entry"/> (NAME=value): all descendants inherit it.</summary>
    public static IReadOnlyList<int> WithEnvironmentEntry(string entry)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && IsAlive(pid) && Environment(pid).Contains(entry))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>Every live process whose command line (NUL-separated arguments joined by spaces) contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> WithCommandLineContaining(string text)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && IsAlive(pid) && CommandLine(pid).Contains(text))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static IReadOnlyList<string> Environment(int pid)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{pid}/environ")).Split('\0');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static string? WorkingDirectory(int pid)
    {
        try
        {
            return Directory.ResolveLinkTarget($"/proc/{pid}/cwd", returnFinalTarget: false)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static async Task<bool> WaitUntilGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (pids.Any(IsAlive))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
