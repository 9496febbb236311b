using AceTrainer.TrainingService.Queue;
using Microsoft.Extensions.Options;

namespace AceTrainer.TrainingService.Worker;

/// <summary>One worker per process (one run per GPU): lease a run, train it to its end, lease the next.</summary>
public sealed class TrainingWorker(RunQueue queue, RunExecutor executor, IOptions<TrainingOptions> options, TimeProvider time,
    ILogger<TrainingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.WorkerEnabled)
        {
            logger.LogInformation("Worker disabled (Training:WorkerEnabled=false): this process serves the API only");
            return;
        }
        var workerId = settings.ResolvedWorkerId;
        logger.LogInformation("Worker {WorkerId} waiting for runs (work folder {WorkDir})", workerId, settings.WorkDir);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await queue.TryLeaseAsync(workerId, stoppingToken) is { } lease)
                {
                    logger.LogInformation("Worker {WorkerId} took run {RunId} (attempt {Attempt})", workerId, lease.RunId, lease.Attempt);
                    await executor.ExecuteAsync(lease, stoppingToken);
                    continue;
                }
                await Task.Delay(settings.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // Redis or blobs away: the lease (if any) expires and is taken again; try again shortly.
                logger.LogWarning(error, "Worker {WorkerId}: {Reason}", workerId, error.Message);
                await Task.Delay(settings.PollInterval * 5, time, CancellationToken.None);
            }
        }
    }
}
