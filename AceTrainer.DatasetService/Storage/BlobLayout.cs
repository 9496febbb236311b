namespace AceTrainer.DatasetService.Storage;

/// <summary>
/// Blob names in the datasets container. Audio is content-addressed (by SHA-256) and never rewritten, so records and
/// snapshots can share it and a snapshot stays valid whatever happens to the dataset later.
/// </summary>
public static class BlobLayout
{
    public const string DatasetsPrefix = "datasets/";

    public static string DatasetPrefix(string datasetId) => $"{DatasetsPrefix}{datasetId}/";

    public static string Manifest(string datasetId) => $"{DatasetPrefix(datasetId)}manifest.json";

    public static string SamplesPrefix(string datasetId) => $"{DatasetPrefix(datasetId)}samples/";

    public static string Sample(string datasetId, string stem) => $"{SamplesPrefix(datasetId)}{stem}.json";

    public static string PromptUndo(string datasetId) => $"{DatasetPrefix(datasetId)}prompt-undo.json";

    public static string Audio(string sha256, string extension) => $"audio/{sha256}{extension}";

    public static string SnapshotsPrefix(string datasetId) => $"snapshots/{datasetId}/";

    public static string Snapshot(string datasetId, string snapshotId) => $"{SnapshotsPrefix(datasetId)}{snapshotId}.json";

    public static string StemOf(string sampleBlobName) =>
        Path.GetFileNameWithoutExtension(sampleBlobName.AsSpan(sampleBlobName.LastIndexOf('/') + 1)).ToString();
}
