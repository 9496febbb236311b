using System.Diagnostics;
using System.Text.Json;
using AceTrainer.AceStep.Metrics;
using AceTrainer.AceStep.Tests.Support;

namespace AceTrainer.AceStep.Tests.Metrics;

/// <summary>The portal's wwwroot/js/charts/lttb.js, run with node, keeps the same points as <see cref="Lttb"/>.</summary>
public class LttbJavaScriptTests
{
    private static string Module => Path.Combine(RepositoryRoot(), "AceTrainer.WebFrontend", "wwwroot", "js", "charts", "lttb.js");

    [Theory]
    [InlineData(5_000, 100)]
    [InlineData(257, 13)]
    [InlineData(20, 3)]
    [InlineData(20, 20)]
    public void The_JavaScript_module_picks_the_same_points(int count, int threshold)
    {
        var points = LttbTests.NoisyCurve(count, seed: count + threshold);
        points[count / 3] = (points[count / 3].X, -4.0);
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("points.json"), JsonSerializer.Serialize(new { xs = points.Select(p => p.X), ys = points.Select(p => p.Y), threshold }));
        File.WriteAllText(folder.File("run.mjs"), $$"""
            import { readFileSync } from "node:fs";
            import { lttb } from {{JsonSerializer.Serialize(new Uri(Module).AbsoluteUri)}};
            const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
            process.stdout.write(JSON.stringify(lttb(input.xs, input.ys, input.threshold)));
            """);

        using var result = JsonDocument.Parse(Node(folder.File("run.mjs"), folder.File("points.json")));
        var xs = result.RootElement.GetProperty("xs").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var ys = result.RootElement.GetProperty("ys").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var expected = Lttb.Downsample(points, threshold);
        Assert.Equal(expected.Select(p => p.X), xs);
        Assert.Equal(expected.Select(p => p.Y), ys);
    }

    [Fact]
    public void The_JavaScript_module_refuses_mismatched_lengths()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("run.mjs"), $$"""
            import { lttb } from {{JsonSerializer.Serialize(new Uri(Module).AbsoluteUri)}};
            try { lttb([1, 2, 3], [1, 2], 2); } catch (e) { process.stdout.write(String(e.message)); }
            """);
        Assert.Contains("3 x values but 2 y values", Node(folder.File("run.mjs")));
    }

    private static string Node(params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"node {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "AceTrainer.WebFrontend", "wwwroot", "js", "charts", "lttb.js"))) return folder.FullName;
        throw new DirectoryNotFoundException($"no AceTrainer.WebFrontend/wwwroot/js/charts/lttb.js above {AppContext.BaseDirectory}");
    }
}
