using System.Text.Json;
using AceTrainer.ServiceDefaults;
using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TestSupport;

namespace AceTrainer.WebFrontend.Tests.Support;

/// <summary>Event JSON as a worker would publish it, and run ids that no other test uses.</summary>
public static class RunEvents
{
    // Indented JSON has newlines and spacing no re-serialisation would keep: the relay must pass the text through untouched.
    private static readonly JsonSerializerOptions Indented = new(JsonDefaults.Options) { WriteIndented = true };

    public static string NewRunId() => "run-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Mostly steps, with a log line and a state change now and then; every third one indented.</summary>
    public static string Json(int index)
    {
        var runEvent = (index % 10) switch
        {
            3 => new RunEvent(RunEvent.LogType, DateTimeOffset.UtcNow, Message: $"line {index}: \"quoted\" and ünïcode"),
            7 => new RunEvent(RunEvent.StateType, DateTimeOffset.UtcNow, State: RunState.Training),
            _ => RunEventPublisher.Step(index, index * 0.38),
        };
        return JsonSerializer.Serialize(runEvent, index % 3 == 0 ? Indented : JsonDefaults.Options);
    }

    public static string Log(string message) =>
        JsonSerializer.Serialize(new RunEvent(RunEvent.LogType, DateTimeOffset.UtcNow, Message: message), JsonDefaults.Options);

    /// <summary>Publishes <paramref name="count"/> events to the run, one after the other, and returns them as a watcher should see them.</summary>
    public static async Task<List<RelayedEvent>> PublishManyAsync(this RunEventPublisher publisher, string runId, int count)
    {
        var published = new List<RelayedEvent>();
        for (var i = 1; i <= count; i++)
        {
            var json = Json(i);
            published.Add(new RelayedEvent(runId, await publisher.PublishAsync(runId, json), json));
        }
        return published;
    }
}
