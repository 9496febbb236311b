namespace AceTrainer.Benchmarks;

/// <summary>What else the machine is doing, printed with the figures (other builds on a shared machine skew them).</summary>
public static class MachineLoad
{
    /// <summary>The 1, 5 and 15 minute load averages.</summary>
    public static string Average() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ')[..3]);
}
