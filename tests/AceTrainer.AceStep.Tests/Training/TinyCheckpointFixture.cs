using AceTrainer.AceStep.Tests.Support;
using AceTrainer.AceStep.Tiny;

namespace AceTrainer.AceStep.Tests.Training;

/// <summary>One generated tiny checkpoint (its transformer pretrained, about half a minute) shared by a test class.</summary>
public sealed class TinyCheckpointFixture : IDisposable
{
    private readonly TempFolder folder = new();

    public TinyCheckpointFixture() => Folder = TinyCheckpoint.EnsureCreated(folder.File("tiny-checkpoint"));

    public string Folder { get; }

    /// <summary>Copies the checkpoint to <paramref name="destination"/> (e.g. where a run without checkpoint_dir looks for it).</summary>
    public void CopyTo(string destination)
    {
        foreach (var file in Directory.GetFiles(Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose() => folder.Dispose();
}
