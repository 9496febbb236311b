using System.Security.Cryptography;
using System.Text;
using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Blobs;
using AceTrainer.ServiceDefaults.Datasets;

namespace AceTrainer.DatasetService.Prompts;

/// <summary>Bulk prompt edits: preview, atomic apply, and one level of undo kept as a blob next to the records.</summary>
public sealed class PromptEditor(DatasetStore store, SummaryCache cache, TimeProvider clock)
{
    public async Task<PromptEditPreview> PreviewAsync(string datasetId, PromptEditRequest request, CancellationToken cancellationToken) =>
        ToPreview(Plan(await store.ListSamplesAsync(datasetId, cancellationToken), request));

    /// <exception cref="PreviewOutdatedException">The request names a preview that no longer holds; nothing was changed.</exception>
    /// <exception cref="BatchConflictException">A sample changed meanwhile; nothing was changed.</exception>
    public async Task<PromptEditResult> ApplyAsync(string datasetId, PromptEditRequest request, CancellationToken cancellationToken)
    {
        var plan = Plan(await store.ListSamplesAsync(datasetId, cancellationToken), request);
        if (request.PreviewToken is { } token && token != PreviewToken(plan))
        {
            throw new PreviewOutdatedException(ToPreview(plan));
        }
        if (plan.Count == 0)
        {
            return new PromptEditResult(0, [], await HasUndoAsync(datasetId, cancellationToken));
        }
        var now = clock.GetUtcNow();
        var etags = await AtomicSampleBatch.WriteAllAsync(store, datasetId,
            plan.Select(p => (p.Current, p.Current.Value with { Prompt = p.Change.After, UpdatedAt = now })).ToList(), cancellationToken);
        var undo = new PromptUndo(now, plan.Select((p, i) => new PromptUndoEntry(p.Change.Stem, p.Change.Before, etags[i])).ToList());
        await store.WriteAsync(BlobLayout.PromptUndo(datasetId), undo, null, null, cancellationToken);
        return new PromptEditResult(plan.Count, plan.Select(p => p.Change).ToList(), UndoAvailable: true);
    }

    /// <summary>
    /// Restores the prompts the last bulk edit replaced, if none of those samples changed since; then the undo is spent.
    /// Null when there is nothing to undo.
    /// </summary>
    /// <exception cref="BatchConflictException">A sample was edited after the bulk edit; nothing was changed.</exception>
    public async Task<PromptEditResult?> UndoAsync(string datasetId, CancellationToken cancellationToken)
    {
        if (await store.ReadAsync<PromptUndo>(BlobLayout.PromptUndo(datasetId), cancellationToken) is not { } undo)
        {
            return null;
        }
        var changes = new List<(Versioned<SampleRecord>, SampleRecord)>();
        var now = clock.GetUtcNow();
        foreach (var entry in undo.Value.Entries)
        {
            var current = await store.GetSampleAsync(datasetId, entry.Stem, cancellationToken);
            if (current is null || current.ETag != entry.ETagAfterEdit)
            {
                throw new BatchConflictException(entry.Stem, []);
            }
            changes.Add((current, current.Value with { Prompt = entry.PreviousPrompt, UpdatedAt = now }));
        }
        // Claim the undo first, so two clicks cannot both restore.
        try
        {
            await store.Blobs.DeleteAsync(store.Container, BlobLayout.PromptUndo(datasetId), BlobConditions.IfETagMatches(undo.ETag), cancellationToken);
        }
        catch (BlobConditionFailedException)
        {
            return null;
        }
        try
        {
            await AtomicSampleBatch.WriteAllAsync(store, datasetId, changes, cancellationToken);
        }
        catch (BatchConflictException)
        {
            await store.WriteAsync(BlobLayout.PromptUndo(datasetId), undo.Value, BlobConditions.IfNotExists, null, CancellationToken.None);
            throw;
        }
        await cache.InvalidateAsync(datasetId);
        return new PromptEditResult(changes.Count,
            changes.Select(c => new PromptChange(c.Item2.Stem, c.Item1.Value.Prompt, c.Item2.Prompt)).ToList(), UndoAvailable: false);
    }

    /// <summary>Whether an undo is recorded; it can still fail with a conflict if those samples were edited since.</summary>
    public async Task<PromptUndoStatus> UndoStatusAsync(string datasetId, CancellationToken cancellationToken) =>
        await store.ReadAsync<PromptUndo>(BlobLayout.PromptUndo(datasetId), cancellationToken) is { } undo
            ? new PromptUndoStatus(true, undo.Value.AppliedAt, undo.Value.Entries.Count)
            : new PromptUndoStatus(false, null, 0);

    private async Task<bool> HasUndoAsync(string datasetId, CancellationToken cancellationToken) =>
        await store.Blobs.GetPropertiesAsync(store.Container, BlobLayout.PromptUndo(datasetId), cancellationToken) is not null;

    private static PromptEditPreview ToPreview(List<(Versioned<SampleRecord> Current, PromptChange Change)> plan) =>
        new(plan.Count, plan.Select(p => p.Change).ToList(), PreviewToken(plan));

    /// <summary>Names the plan: which records, at which versions, become which prompts.</summary>
    private static string PreviewToken(List<(Versioned<SampleRecord> Current, PromptChange Change)> plan)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (current, change) in plan)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{change.Stem}\n{current.ETag}\n{change.After}\n"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    private static List<(Versioned<SampleRecord> Current, PromptChange Change)> Plan(
        IReadOnlyList<Versioned<SampleRecord>> samples, PromptEditRequest request) =>
        samples
            .Select(s => (Current: s, Change: new PromptChange(s.Value.Stem, s.Value.Prompt, PromptOperations.Apply(s.Value.Prompt, request))))
            .Where(p => p.Change.After != p.Change.Before)
            .ToList();
}
