namespace AceTrainer.TrainingService.Tests.Telemetry;

/// <summary>Small executable shell scripts that stand in for nvidia-smi.</summary>
internal sealed class FixtureScripts : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("acetrainer-gpu-").FullName;

    public string Write(string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        // The fakes are shell scripts: these tests run on Linux, where nvidia-smi is polled.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>A script that checks it was asked the right query and prints <paramref name="output"/>.</summary>
    public string Printing(string output) => Write("fake-nvidia-smi", $$"""
        [ "$1" = "--query-gpu=index,name,memory.used,memory.total,utilization.gpu,temperature.gpu" ] || { echo "unexpected query $1" >&2; exit 3 ; }
        [ "$2" = "--format=csv,noheader,nounits" ] || { echo "unexpected format $2" >&2; exit 3 ; }
        cat <<'FIXTURE'
        {{output}}
        FIXTURE
        """);

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
