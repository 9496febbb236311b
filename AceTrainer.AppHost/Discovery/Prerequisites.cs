using System.Runtime.InteropServices;
using AceTrainer.AppHost.Configuration;

namespace AceTrainer.AppHost.Discovery;

/// <summary>Absolute paths of every program the AppHost launches.</summary>
public sealed record ResolvedTools(
    string RedisServer,
    string AzuriteBlob,
    string DotnetHost,
    string? Setpriv,
    string? Setsid,
    IReadOnlyDictionary<string, ServiceOutput> Services)
{
    /// <summary>ACE-Step's lyric vocabulary for tiny-model runs, when the shared reference data sits beside the repository.</summary>
    public string? LyricVocabulary { get; init; }
}

/// <summary>Finds redis-server, azurite, node, dotnet and the service builds, reporting everything missing in one message.</summary>
public static class Prerequisites
{
    public const string InstallHint =
        "Run ./run.sh from the repository root: it installs the prerequisites (scripts/install-prerequisites.sh), builds and starts the AppHost.";

    public static ResolvedTools Resolve(BuildManifest manifest, IEnumerable<string> serviceAssemblies, Func<string, string?> getEnv)
    {
        var path = getEnv("PATH") ?? "";
        var missing = new List<string>();
        var repoRoot = manifest.RepoRoot;

        var redis = FindOnPath("redis-server", path);
        if (redis is null)
        {
            missing.Add("redis-server: not found on PATH");
        }

        var localAzurite = Path.Combine(repoRoot, "node_modules", ".bin", "azurite-blob");
        var azurite = File.Exists(localAzurite) ? localAzurite : FindOnPath("azurite-blob", path);
        if (azurite is null)
        {
            missing.Add($"azurite-blob: not found at {localAzurite} nor on PATH (npm install in {repoRoot} installs it)");
        }

        // azurite-blob is a `#!/usr/bin/env node` script.
        if (FindOnPath("node", path) is null)
        {
            missing.Add("node: not found on PATH (Azurite needs Node.js)");
        }

        var dotnet = FindDotnetHost(path);
        if (dotnet is null)
        {
            missing.Add("dotnet: the .NET host was not found");
        }

        var services = new Dictionary<string, ServiceOutput>(StringComparer.Ordinal);
        foreach (var name in serviceAssemblies)
        {
            var output = manifest.FindService(name);
            if (output is null)
            {
                missing.Add($"{name}: the AppHost was built without a reference to it");
            }
            else if (!File.Exists(output.AssemblyPath))
            {
                missing.Add($"{name}: build output {output.AssemblyPath} is missing (dotnet build AceTrainer.AppHost builds it)");
            }
            else
            {
                services[name] = output;
            }
        }

        if (missing.Count > 0)
        {
            throw new AppHostException(
                "AceTrainer AppHost cannot start; missing prerequisites:" + Environment.NewLine +
                string.Join(Environment.NewLine, missing.Select(m => "  - " + m)) + Environment.NewLine + InstallHint,
                ExitCodes.MissingPrerequisites);
        }

        // util-linux lives in /usr/bin; look there too so a trimmed PATH does not silently lose orphan protection.
        var systemPath = path + Path.PathSeparator + "/usr/bin" + Path.PathSeparator + "/bin";
        return new ResolvedTools(redis!, azurite!, dotnet!, FindOnPath("setpriv", systemPath), FindOnPath("setsid", systemPath), services)
        {
            LyricVocabulary = FindLyricVocabulary(repoRoot),
        };
    }

    /// <summary>shared/reference/ace-step-data/lyrics_vocab.json in the nearest ancestor of the repository that has it (read in place, never copied).</summary>
    public static string? FindLyricVocabulary(string repoRoot)
    {
        for (var dir = Directory.GetParent(Path.GetFullPath(repoRoot)); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "reference", "ace-step-data", "lyrics_vocab.json");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    public static string? FindOnPath(string program, string path) =>
        path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(IsExecutable);

    private static string? FindDotnetHost(string path)
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        // The runtime lives in <dotnet root>/shared/Microsoft.NETCore.App/<version>/.
        var fromRuntime = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return IsExecutable(fromRuntime) ? fromRuntime : FindOnPath("dotnet", path);
    }

    private static bool IsExecutable(string file) =>
        File.Exists(file) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
