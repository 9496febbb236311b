using Microsoft.AspNetCore.SignalR;

namespace AceTrainer.WebFrontend.Hubs;

/// <summary>
/// Live events of runs: a page calls <see cref="Watch"/> for the run it shows and then receives
/// <c>runEvent(runId, id, json)</c>, relayed from Redis by <see cref="Runs.RunEventRelay"/>.
/// </summary>
public sealed class RunsHub : Hub
{
    public const string Path = "/hubs/runs";
    public const string EventMethod = "runEvent";
    public const int MaxRunIdLength = 64;

    public static string Group(string runId) => "run:" + runId;

    public Task Watch(string runId) => Groups.AddToGroupAsync(Context.ConnectionId, Group(Validated(runId)), Context.ConnectionAborted);

    public Task Unwatch(string runId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(Validated(runId)), Context.ConnectionAborted);

    private static string Validated(string? runId) =>
        !string.IsNullOrEmpty(runId) && runId.Length <= MaxRunIdLength && runId.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? runId
            : throw new HubException($"'{Shorten(runId)}' is not a run id: use 1 to {MaxRunIdLength} letters, digits or '-'.");

    // Echoes at most the start of a bad id, so a huge argument does not come back whole in the error.
    private static string Shorten(string? text) => text is null ? "" : text.Length <= MaxRunIdLength ? text : text[..MaxRunIdLength] + "…";
}
