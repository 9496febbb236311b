using Microsoft.Extensions.Logging;

namespace AceTrainer.ServiceDefaults.Redis;

public static class RedisSubscriberExtensions
{
    /// <summary>
    /// Subscribes, retrying once a second while Redis cannot be reached (a service may start before it). Only the first
    /// subscribe needs this: the subscriber resubscribes by itself after later reconnects.
    /// </summary>
    public static async Task<IAsyncDisposable> SubscribeWhenReachableAsync(this IRedisSubscriber subscriber, string channel,
        Func<RedisMessage, Task> handler, bool pattern, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await subscriber.SubscribeAsync(channel, handler, pattern, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (attempt == 1) logger.LogWarning("Cannot subscribe to {Channel} yet: {Reason}", channel, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
