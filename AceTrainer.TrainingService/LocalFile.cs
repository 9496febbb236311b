namespace AceTrainer.TrainingService;

public static class LocalFile
{
    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through a temporary name, so a cut download leaves no partial file under the real name.</summary>
    public static async Task SaveAsync(Stream content, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var partial = path + ".download";
        await using (var file = File.Create(partial))
            await content.CopyToAsync(file, cancellationToken);
        File.Move(partial, path, overwrite: true);
    }
}
