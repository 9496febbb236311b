namespace AceTrainer.DatasetService.Zip;

public static class BoundedCopy
{
    /// <summary>Copies until the end of <paramref name="source"/>; false (and stops) once more than <paramref name="maxBytes"/> came.</summary>
    public static async Task<bool> CopyAsync(Stream source, Stream target, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                return false;
            }
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return true;
    }
}
