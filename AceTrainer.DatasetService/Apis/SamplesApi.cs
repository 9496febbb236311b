using AceTrainer.DatasetService.Ingest;
using AceTrainer.DatasetService.Samples;
using AceTrainer.DatasetService.Storage;
using AceTrainer.ServiceDefaults.Datasets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AceTrainer.DatasetService.Apis;

public static class SamplesApi
{
    public static RouteGroupBuilder MapSamplesApi(this RouteGroupBuilder datasets)
    {
        var samples = datasets.MapGroup("/{datasetId}/samples");
        samples.MapGet("/", ListSamples);
        samples.MapPost("/", UploadSamples).DisableAntiforgery();
        samples.MapGet("/{stem}", GetSample);
        samples.MapPut("/{stem}", SaveSample);
        samples.MapDelete("/{stem}", DeleteSample);
        samples.MapGet("/{stem}/audio", StreamAudio);
        return datasets;
    }

    public static async Task<Results<Ok<IReadOnlyList<SampleResponse>>, NotFound>> ListSamples(
        string datasetId, DatasetStore store, SampleService samples, CancellationToken cancellationToken) =>
        await store.GetManifestAsync(datasetId, cancellationToken) is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(await samples.ListAsync(datasetId, cancellationToken));

    /// <summary>multipart/form-data with one or more audio files; all are stored or none.</summary>
    public static async Task<IResult> UploadSamples(string datasetId, HttpRequest request, DatasetStore store, SampleIngestor ingestor,
        IOptions<DatasetOptions> options, [FromQuery] string? onConflict = null, CancellationToken cancellationToken = default)
    {
        if (QueryEnum.Parse(onConflict, StemConflictMode.Rename) is not { } conflictMode)
        {
            return QueryEnum.Unknown<StemConflictMode>(nameof(onConflict), onConflict);
        }
        if (await store.GetManifestAsync(datasetId, cancellationToken) is null)
        {
            return TypedResults.NotFound();
        }
        IReadOnlyList<StagedAudio> files = [];
        try
        {
            files = await MultipartUploadReader.StageAsync(request, ingestor.StagingDirectory, options.Value, cancellationToken);
            if (files.Count == 0)
            {
                return TypedResults.Problem("The request holds no file parts.", statusCode: StatusCodes.Status400BadRequest);
            }
            await ingestor.ProbeAllAsync(files, cancellationToken);
            var stored = await ingestor.CommitAllAsync(datasetId, files, conflictMode, cancellationToken);
            return TypedResults.Created($"/api/datasets/{datasetId}/samples", new UploadResponse(stored));
        }
        catch (AudioRejectedException rejected)
        {
            return Problems.Rejected(rejected);
        }
        catch (StemConflictException conflict)
        {
            return Problems.StemTaken(conflict);
        }
        catch (BadHttpRequestException bad)
        {
            return TypedResults.Problem(title: "Bad upload", detail: bad.Message, statusCode: bad.StatusCode);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            return TypedResults.Problem(title: "Bad upload", detail: $"The multipart body could not be read: {ex.Message}",
                statusCode: StatusCodes.Status400BadRequest);
        }
        finally
        {
            foreach (var file in files)
            {
                file.Dispose();
            }
        }
    }

    public static async Task<Results<Ok<SampleResponse>, NotFound>> GetSample(string datasetId, string stem, DatasetStore store,
        HttpResponse response, CancellationToken cancellationToken)
    {
        if (await store.GetSampleAsync(datasetId, stem, cancellationToken) is not { } sample)
        {
            return TypedResults.NotFound();
        }
        response.Headers.ETag = sample.ETag;
        return TypedResults.Ok(SampleService.ToResponse(sample));
    }

    /// <summary>Needs If-Match with the version the editor loaded, or force=true to overwrite whatever is there.</summary>
    public static async Task<IResult> SaveSample(string datasetId, string stem, UpdateSampleRequest edit, SampleService samples,
        HttpRequest request, [FromQuery] bool force = false, CancellationToken cancellationToken = default)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        if (!force && ifMatch.Length == 0)
        {
            return TypedResults.Problem("Send If-Match with the sample's version, or force=true to overwrite.",
                statusCode: StatusCodes.Status428PreconditionRequired);
        }
        return await samples.SaveAsync(datasetId, stem, edit, ifMatch, force, cancellationToken) switch
        {
            SaveOutcome.Saved saved => WithETag(request.HttpContext, saved.Sample),
            SaveOutcome.Conflict conflict => Problems.SampleChanged(
                "The sample was changed by someone else. Reload it, or save again with the current version (or force=true) to overwrite.",
                conflict.Current),
            _ => TypedResults.NotFound(),
        };
    }

    public static async Task<IResult> DeleteSample(string datasetId, string stem, SampleService samples, HttpRequest request,
        CancellationToken cancellationToken)
    {
        var ifMatch = request.Headers.IfMatch.ToString();
        return await samples.DeleteAsync(datasetId, stem, ifMatch.Length == 0 ? null : ifMatch, cancellationToken) switch
        {
            SaveOutcome.Deleted => TypedResults.NoContent(),
            SaveOutcome.Conflict conflict => Problems.SampleChanged("The sample was changed by someone else.", conflict.Current),
            _ => TypedResults.NotFound(),
        };
    }

    public static async Task<IResult> StreamAudio(string datasetId, string stem, DatasetStore store, HttpContext context,
        CancellationToken cancellationToken) =>
        await store.GetSampleAsync(datasetId, stem, cancellationToken) is { } sample
            ? await AudioStreaming.StreamAsync(store.Blobs, store.Container, sample.Value.Audio.Blob, sample.Value.Audio.ContentType, context, cancellationToken)
            : TypedResults.NotFound();

    private static Ok<SampleResponse> WithETag(HttpContext context, SampleResponse sample)
    {
        context.Response.Headers.ETag = sample.Version;
        return TypedResults.Ok(sample);
    }
}
