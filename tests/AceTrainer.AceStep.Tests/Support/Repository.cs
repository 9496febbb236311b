using AceTrainer.TestSupport;

namespace AceTrainer.AceStep.Tests.Support;

/// <summary>The shared ACE-Step reference data beside the repository (see <see cref="SharedReference"/>).</summary>
internal static class Repository
{
    public static string SharedData(string name) => SharedReference.File(name);

    public static string LyricVocabulary => SharedReference.LyricVocabulary;
}
