namespace AceTrainer.AppHost.Configuration;

/// <summary>A failure the user can act on: the message is printed as-is and the AppHost exits with <see cref="ExitCode"/>.</summary>
public sealed class AppHostException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int MissingPrerequisites = 3;
    public const int PortUnavailable = 4;
}
