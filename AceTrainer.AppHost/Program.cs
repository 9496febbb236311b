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
    var signalsReceived = 0;
    void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref signalsReceived) == 1)
        {
            log.Info($"received {context.Signal}; stopping (send it again to kill everything at once).");
            shutdown.Cancel();
        }
        else
        {
            runner.KillAll();
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
