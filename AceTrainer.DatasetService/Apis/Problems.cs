using AceTrainer.DatasetService.Ingest;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Apis;

/// <summary>Problem-details bodies that name the file and the reason, with both as extensions for the UI.</summary>
public static class Problems
{
    public static IResult Rejected(AudioRejectedException rejected) => TypedResults.Problem(
        title: "Audio rejected",
        detail: rejected.Message,
        statusCode: rejected.StatusCode,
        extensions: new Dictionary<string, object?> { ["fileName"] = rejected.FileName, ["reason"] = rejected.Reason });

    public static IResult StemTaken(StemConflictException conflict) => TypedResults.Problem(
        title: "Stem already in use",
        detail: conflict.Message + " Upload with onConflict=rename to add a suffix.",
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["fileName"] = conflict.FileName, ["stem"] = conflict.Stem });

    /// <summary>409 whose body is also a <see cref="SampleConflict"/>: "message" and "current" (the record as it is now, with its version).</summary>
    public static IResult SampleChanged(string message, SampleResponse current) => TypedResults.Problem(
        title: "Sample changed meanwhile",
        detail: message,
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["message"] = message, ["current"] = current });
}
