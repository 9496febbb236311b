using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AceTrainer.TrainingService.Queue;

/// <summary>
/// Calls <see cref="RunQueue.RequeueExpiredAsync"/> every <see cref="RunQueueOptions.SweepInterval"/>, so runs of dead
/// workers go back to the queue (and runs that keep killing their workers to the dead-letter list, reported to every
/// <see cref="IRunQueueObserver"/>). Any number of services may run one: the sweep is one idempotent script.
/// </summary>
public sealed class RunQueueSweeper(RunQueue queue, IEnumerable<IRunQueueObserver> observers, TimeProvider time, ILogger<RunQueueSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(queue.Options.SweepInterval, time);
        var failing = false;
        do
        {
            try
            {
                var sweep = await queue.RequeueExpiredAsync(stoppingToken).ConfigureAwait(false);
                if (sweep.TakenBack > 0) logger.LogWarning("Took back {Count} run(s) whose lease expired", sweep.TakenBack);
                foreach (var runId in sweep.DeadLettered)
                {
                    logger.LogWarning("Run {RunId} dead-lettered: {Error}", runId, sweep.Error);
                    foreach (var observer in observers) await observer.OnDeadLetteredAsync(runId, sweep.Error, stoppingToken).ConfigureAwait(false);
                }
                failing = false;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis down: nothing can be leased either, so just retry next tick; log once per outage.
                if (!failing) logger.LogWarning("Cannot sweep expired run leases: {Reason}", ex.Message);
                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
