using System.Threading.Channels;

namespace AceTrainer.TrainingService.Worker;

/// <summary>
/// Runs the worker's Redis and blob writes for one run in order, off the training thread: the trainer calls its
/// observer synchronously between steps and must not wait for the network. Work items run one at a time, in the order
/// posted (a checkpoint event is never published before the steps that precede it). A failing item is logged and the
/// pump goes on: live events are best-effort, the blobs written at checkpoints and at the end are what must survive.
/// </summary>
public sealed class RunEventPump : IAsyncDisposable
{
    // Unbounded: a training step posts a handful of items; if Redis stalls they wait here rather than stall training.
    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateUnbounded<Func<CancellationToken, Task>>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _consumer;
    // Cancels items still running when the pump is abandoned (lease lost): they must not write anything more.
    private readonly CancellationTokenSource _abandon = new();

    public RunEventPump(ILogger logger)
    {
        _logger = logger;
        _consumer = Task.Run(ConsumeAsync);
    }

    public void Post(Func<CancellationToken, Task> work) => _work.Writer.TryWrite(work);

    /// <summary>Waits until every item posted so far has run.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(_ => { done.TrySetResult(); return Task.CompletedTask; })) done.TrySetResult();
        return done.Task;
    }

    /// <summary>Drops whatever has not run yet (the lease is gone: another worker owns the run now).</summary>
    public void Abandon()
    {
        _abandon.Cancel();
        _work.Writer.TryComplete();
    }

    private async Task ConsumeAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync())
        {
            if (_abandon.IsCancellationRequested) break;
            try
            {
                await work(_abandon.Token);
            }
            catch (Exception error) when (error is not OperationCanceledException || !_abandon.IsCancellationRequested)
            {
                _logger.LogWarning(error, "A live update of the run failed: {Reason}", error.Message);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _consumer;
        _abandon.Dispose();
    }
}
