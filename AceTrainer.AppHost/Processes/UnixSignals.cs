using System.Runtime.InteropServices;

namespace AceTrainer.AppHost.Processes;

/// <summary>.NET can only SIGKILL a process (Process.Kill); graceful stops need SIGTERM, so call kill(2) directly.</summary>
internal static partial class UnixSignals
{
    public const int SigTerm = 15;

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);

    public static bool Send(int pid, int signal) => kill(pid, signal) == 0;
}
