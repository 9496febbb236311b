namespace AceTrainer.DatasetService.Ingest;

/// <summary>A file was refused; nothing of it was stored. Mapped to a problem-details response naming the file.</summary>
public sealed class AudioRejectedException(string fileName, string reason, int statusCode)
    : Exception($"'{fileName}' was rejected: {reason}.")
{
    public string FileName { get; } = fileName;
    public string Reason { get; } = reason;
    public int StatusCode { get; } = statusCode;
}

/// <summary>The stem is taken and the client asked for onConflict=reject.</summary>
public sealed class StemConflictException(string fileName, string stem)
    : Exception($"A sample named '{stem}' already exists (from '{fileName}').")
{
    public string FileName { get; } = fileName;
    public string Stem { get; } = stem;
}
