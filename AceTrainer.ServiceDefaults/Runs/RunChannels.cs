namespace AceTrainer.ServiceDefaults.Runs;

/// <summary>
/// The Redis names of a run's live side, shared by the worker (writer) and the portal (reader). <see cref="RunEventLog"/>
/// writes each event with one script: XADD to <see cref="Stream"/> (capped at about <see cref="StreamCap"/> entries) and
/// PUBLISH "&lt;stream id&gt;\n&lt;event json&gt;" on <see cref="Channel"/>, so a live message and its replay copy carry the same id.
/// </summary>
public static class RunChannels
{
    public const string Prefix = "acetrainer:runs:";

    /// <summary>Approximate cap of each run's stream (XADD MAXLEN ~); older steps come from the metrics file in blobs.</summary>
    public const int StreamCap = 20_000;

    /// <summary>Pattern (PSUBSCRIBE) that matches every run's channel.</summary>
    public const string ChannelPattern = Prefix + "*:live";

    public static string Stream(string runId) => $"{Prefix}{runId}:events";

    public static string Channel(string runId) => $"{Prefix}{runId}:live";

    /// <summary>Hash of the last step a worker reported (step, totalSteps, epoch, loss, samplesPerSecond, etaSeconds, updatedAt).</summary>
    public static string Progress(string runId) => $"{Prefix}{runId}:progress";

    /// <summary>The run id of a <see cref="Channel"/> name, or null for another channel.</summary>
    public static string? RunIdOfChannel(string channel) =>
        channel.StartsWith(Prefix, StringComparison.Ordinal) && channel.EndsWith(":live", StringComparison.Ordinal)
            ? channel[Prefix.Length..^":live".Length]
            : null;

    /// <summary>Splits a channel message into its stream id and event JSON.</summary>
    public static bool TryParseMessage(string message, out string id, out string json)
    {
        var newline = message.IndexOf('\n');
        id = newline > 0 ? message[..newline] : "";
        json = newline > 0 ? message[(newline + 1)..] : "";
        return newline > 0;
    }

    public static string Message(string id, string json) => id + "\n" + json;
}
