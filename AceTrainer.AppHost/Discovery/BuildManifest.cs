using System.Reflection;

namespace AceTrainer.AppHost.Discovery;

/// <summary>A service project the AppHost runs, as recorded at build time.</summary>
public sealed record ServiceOutput(string AssemblyName, string AssemblyPath, string ProjectDirectory);

/// <summary>
/// Reads what the AceRecordServiceOutputs MSBuild target (AceTrainer.AppHost.csproj) baked into this assembly:
/// each referenced service's TargetPath and project file, and the repository root.
/// </summary>
public sealed class BuildManifest
{
    private const string AssemblyKeyPrefix = "AceTrainer.ServiceAssembly:";
    private const string ProjectKeyPrefix = "AceTrainer.ServiceProject:";
    private const string RepoRootKey = "AceTrainer.RepoRoot";

    private readonly Dictionary<string, string> _metadata;

    private BuildManifest(Dictionary<string, string> metadata) => _metadata = metadata;

    public static BuildManifest FromAssembly(Assembly assembly) =>
        new(assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Where(a => a.Value is not null)
            .ToDictionary(a => a.Key, a => a.Value!, StringComparer.Ordinal));

    public string RepoRoot => _metadata.TryGetValue(RepoRootKey, out var root) && Directory.Exists(root)
        ? root
        : FindRepoRootFrom(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();

    /// <returns>null when the AppHost was built without a reference to that project.</returns>
    public ServiceOutput? FindService(string assemblyName)
    {
        if (!_metadata.TryGetValue(AssemblyKeyPrefix + assemblyName, out var assemblyPath)
            || !_metadata.TryGetValue(ProjectKeyPrefix + assemblyName, out var projectFile))
        {
            return null;
        }

        return new ServiceOutput(assemblyName, assemblyPath, Path.GetDirectoryName(projectFile)!);
    }

    private static string? FindRepoRootFrom(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AceTrainer.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
