using AceTrainer.DatasetService.Prompts;
using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Apis;

public static class PromptsApi
{
    public static RouteGroupBuilder MapPromptsApi(this RouteGroupBuilder datasets)
    {
        var prompts = datasets.MapGroup("/{datasetId}/prompts");
        prompts.MapPost("/preview", Preview);
        prompts.MapPost("/apply", Apply);
        prompts.MapPost("/undo", Undo);
        prompts.MapGet("/undo", UndoStatus);
        return datasets;
    }

    public static Task<IResult> Preview(string datasetId, PromptEditRequest request, DatasetStore store, PromptEditor editor,
        CancellationToken cancellationToken) =>
        Guarded(datasetId, request, store, async () => TypedResults.Ok(await editor.PreviewAsync(datasetId, request, cancellationToken)), cancellationToken);

    public static Task<IResult> Apply(string datasetId, PromptEditRequest request, DatasetStore store, PromptEditor editor,
        CancellationToken cancellationToken) =>
        Guarded(datasetId, request, store, async () => TypedResults.Ok(await editor.ApplyAsync(datasetId, request, cancellationToken)), cancellationToken);

    public static async Task<IResult> Undo(string datasetId, DatasetStore store, PromptEditor editor, CancellationToken cancellationToken)
    {
        if (await store.GetManifestAsync(datasetId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }
        try
        {
            return await editor.UndoAsync(datasetId, cancellationToken) is { } result
                ? TypedResults.Ok(result)
                : TypedResults.Problem("There is no bulk prompt edit to undo.", statusCode: StatusCodes.Status409Conflict);
        }
        catch (BatchConflictException conflict)
        {
            return Conflict(conflict);
        }
    }

    public static async Task<IResult> UndoStatus(string datasetId, DatasetStore store, PromptEditor editor, CancellationToken cancellationToken) =>
        await store.GetManifestAsync(datasetId, cancellationToken) is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(await editor.UndoStatusAsync(datasetId, cancellationToken));

    private static async Task<IResult> Guarded(string datasetId, PromptEditRequest request, DatasetStore store, Func<Task<IResult>> action,
        CancellationToken cancellationToken)
    {
        if (PromptOperations.Validate(request) is { } error)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest);
        }
        if (await store.GetManifestAsync(datasetId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }
        try
        {
            return await action();
        }
        catch (BatchConflictException conflict)
        {
            return Conflict(conflict);
        }
        catch (PreviewOutdatedException outdated)
        {
            return TypedResults.Problem(title: "Preview outdated", detail: outdated.Message, statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["preview"] = outdated.Current });
        }
    }

    private static IResult Conflict(BatchConflictException conflict) => TypedResults.Problem(
        title: "Samples changed meanwhile",
        detail: conflict.Message,
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["stem"] = conflict.Stem, ["notRestored"] = conflict.NotRestored });
}
