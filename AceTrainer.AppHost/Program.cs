using System.Runtime.InteropServices;
using AceTrainer.AppHost.Configuration;
using AceTrainer.AppHost.Discovery;
using AceTrainer.AppHost.Logging;
using AceTrainer.AppHost.Orchestration;

var log = ConsoleLog.ForStdout(Environment.GetEnvironmentVariable);
try
{
    var manifest = BuildManifest.FromAssembly(typeof(Program).Assembly);
    var options = OptionsParser.Parse(args, Environment.GetEnvironmentVariable, manifest.RepoRoot);
    if (options is null)
    {
        Console.WriteLine(OptionsParser.HelpText);
        return ExitCodes.Success;
    }

    using var shutdown = new CancellationTokenSource();
    var runner = new AppHostRunner(log, Environment.GetEnvironmentVariable);
    // No "second signal kills at once": `dotnet run` forwards SIGTERM, so one stop request often arrives twice.
    // Children that ignore SIGTERM are killed after the grace period anyway.
    void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!shutdown.IsCancellationRequested)
        {
            log.Info($"received {context.Signal}; stopping.");
            shutdown.Cancel();
        }
    }

    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
    return await runner.RunAsync(options, manifest, shutdown.Token);
}
catch (AppHostException e)
{
    log.Error(e.Message);
    return e.ExitCode;
}
catch (Exception e)
{
    // Children are already stopped by AppHostRunner; this only keeps the report readable.
    log.Error($"AppHost failed unexpectedly: {e}");
    return ExitCodes.Failure;
}
