using AceTrainer.ServiceDefaults.Runs;
using AceTrainer.TrainingService.Telemetry;

namespace AceTrainer.TrainingService.Tests.Telemetry;

public sealed class GpuMonitorTests : IDisposable
{
    private const string TwoGpus = """
        0, NVIDIA H200, 81234, 143771, 97, 64
        1, NVIDIA H200, 4, 143771, 0, 31
        """;

    private readonly FixtureScripts scripts = new();

    public void Dispose() => scripts.Dispose();

    [Fact]
    public void Parse_reads_every_gpu_row()
    {
        var gpus = GpuMonitor.Parse(TwoGpus);

        Assert.Equal(
            [
                new RunGpuDevice(0, "NVIDIA H200", 81234, 143771, 97, 64),
                new RunGpuDevice(1, "NVIDIA H200", 4, 143771, 0, 31),
            ],
            gpus);
    }

    [Fact]
    public void Parse_turns_unreadable_fields_into_null()
    {
        var gpus = GpuMonitor.Parse("0, NVIDIA GeForce RTX 3060 Laptop GPU, 512, 6144, [N/A], [Not Supported]\r\n");

        Assert.Equal([new RunGpuDevice(0, "NVIDIA GeForce RTX 3060 Laptop GPU", 512, 6144, null, null)], gpus);
    }

    [Fact]
    public void Parse_keeps_a_name_with_a_comma_and_skips_lines_that_are_not_gpus()
    {
        var gpus = GpuMonitor.Parse("""
            No devices were found

            3, Tesla V100-SXM2-16GB, rev 2, 15.5, 16160, 12, 40
            garbage, x, 1, 2, 3, 4
            """);

        Assert.Equal([new RunGpuDevice(3, "Tesla V100-SXM2-16GB, rev 2", 15.5, 16160, 12, 40)], gpus);
    }

    [Fact]
    public async Task Without_nvidia_smi_the_reading_says_so_instead_of_throwing()
    {
        var reading = await new GpuMonitor(Path.Combine(Path.GetTempPath(), "no-such-nvidia-smi-" + Guid.NewGuid())).ReadAsync();

        Assert.False(reading.HasGpu);
        Assert.Equal(GpuUnavailableReason.NvidiaSmiNotInstalled, reading.Unavailable);
        Assert.Contains("no-such-nvidia-smi", reading.Detail);
    }

    [Fact]
    public async Task Default_monitor_on_this_machine_never_throws()
    {
        var reading = await new GpuMonitor().ReadAsync();

        var installed = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Any(folder => folder.Length > 0 && File.Exists(Path.Combine(folder, "nvidia-smi")));
        if (installed)
        {
            Assert.True(reading.HasGpu || reading.Unavailable is GpuUnavailableReason.NvidiaSmiFailed or GpuUnavailableReason.NoDevices);
        }
        else
        {
            Assert.Equal(GpuUnavailableReason.NvidiaSmiNotInstalled, reading.Unavailable);
            Assert.Empty(reading.Gpus);
        }
    }

    [Fact]
    public async Task Reads_the_gpus_a_fake_nvidia_smi_prints()
    {
        var reading = await new GpuMonitor(scripts.Printing(TwoGpus)).ReadAsync();

        Assert.True(reading.HasGpu, reading.Detail);
        Assert.Null(reading.Unavailable);
        Assert.Equal(GpuMonitor.Parse(TwoGpus), reading.Gpus);
    }

    [Fact]
    public async Task A_failing_nvidia_smi_gives_its_exit_code_and_message()
    {
        var script = scripts.Write("failing-nvidia-smi", "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.' >&2; exit 9");

        var reading = await new GpuMonitor(script).ReadAsync();

        Assert.False(reading.HasGpu);
        Assert.Equal(GpuUnavailableReason.NvidiaSmiFailed, reading.Unavailable);
        Assert.Contains("exited with code 9", reading.Detail);
        Assert.Contains("could not communicate with the NVIDIA driver", reading.Detail);
    }

    [Fact]
    public async Task An_empty_device_list_is_no_devices()
    {
        var reading = await new GpuMonitor(scripts.Printing("No devices were found")).ReadAsync();

        Assert.Equal(GpuUnavailableReason.NoDevices, reading.Unavailable);
        Assert.Contains("No devices were found", reading.Detail);
    }

    [Fact]
    public async Task A_hanging_nvidia_smi_is_stopped_and_reported()
    {
        var script = scripts.Write("hanging-nvidia-smi", "exec sleep 30");

        var started = DateTime.UtcNow;
        var reading = await new GpuMonitor(script, TimeSpan.FromMilliseconds(300)).ReadAsync();

        Assert.Equal(GpuUnavailableReason.NvidiaSmiFailed, reading.Unavailable);
        Assert.Contains("did not finish", reading.Detail);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }
}
