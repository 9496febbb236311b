using System.Text;
using AceTrainer.AceStep.Metrics;
using AceTrainer.AceStep.Tests.Support;

namespace AceTrainer.AceStep.Tests.Metrics;

public class TensorBoardWriterTests
{
    [Theory]
    [InlineData("123456789", 0xE3069283u)] // the CRC catalogue's check value for CRC-32C
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    public void Crc32C_matches_known_check_values(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Crc32C_matches_the_RFC_3720_vectors_longer_than_a_word()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void Written_scalars_read_back_with_valid_CRCs_after_the_file_version()
    {
        using var folder = new TempFolder();
        var time = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);
        string path;
        using (var writer = new TensorBoardWriter(folder.Path))
        {
            path = writer.FilePath;
            for (var step = 1; step <= 300; step++) // steps past 127 need two varint bytes
                writer.WriteScalars(step, [new("train/loss", 1.0 / step), new("train/learning_rate", step * 1e-5)], time);
            writer.WriteScalar(1L << 40, "big/step", -3.5);
        }

        Assert.Matches(@"^events\.out\.tfevents\.\d{10}\." + System.Text.RegularExpressions.Regex.Escape(Environment.MachineName) + "$", Path.GetFileName(path));
        var records = Assert.Single(EventFileReader.Read(folder.Path)).Records;
        Assert.Equal(302, records.Count);
        Assert.Equal(TensorBoardWriter.FileVersion, records[0].FileVersion);
        Assert.True(Math.Abs(records[0].WallTime - DateTimeOffset.UtcNow.ToUnixTimeSeconds()) < 600);
        for (var step = 1; step <= 300; step++)
        {
            var record = records[step];
            Assert.Equal(step, record.Step);
            Assert.Equal(1_700_000_000.25, record.WallTime);
            Assert.Equal((float)(1.0 / step), (float)record.Scalars!["train/loss"]);
            Assert.Equal((float)(step * 1e-5), (float)record.Scalars["train/learning_rate"]);
        }
        Assert.Equal(1L << 40, records[^1].Step);
        Assert.Equal(-3.5, records[^1].Scalars!["big/step"]);
    }

    [Fact]
    public void The_reader_rejects_a_corrupted_byte_so_the_CRC_check_is_real()
    {
        using var folder = new TempFolder();
        string path;
        using (var writer = new TensorBoardWriter(folder.Path))
        {
            path = writer.FilePath;
            writer.WriteScalar(1, "train/loss", 0.5);
        }
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 0x01; // inside the float of the last record
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidOperationException>(() => EventFileReader.Read(path));
        Assert.Contains("data CRC mismatch", error.Message);
    }

    [Fact]
    public void Each_step_is_on_disk_while_the_writer_is_still_open()
    {
        using var folder = new TempFolder();
        using var writer = new TensorBoardWriter(folder.Path);
        writer.WriteScalar(1, "train/loss", 0.25);
        writer.WriteScalar(2, "train/loss", 0.125);
        var records = Assert.Single(EventFileReader.Read(writer.FilePath)).Records;
        Assert.Equal([0L, 1L, 2L], records.Select(r => r.Step));
    }

    [Fact]
    public void A_second_writer_in_the_same_folder_adds_its_own_file()
    {
        using var folder = new TempFolder();
        using (var first = new TensorBoardWriter(folder.Path)) first.WriteScalar(1, "train/loss", 1);
        using (var second = new TensorBoardWriter(folder.Path)) second.WriteScalar(2, "train/loss", 2);
        var files = EventFileReader.Read(folder.Path);
        Assert.Equal(2, files.Count);
        Assert.Equal([1L, 2L], files.SelectMany(f => f.Records).Where(r => r.Scalars is not null).Select(r => r.Step).Order());
    }

    [Fact]
    public void An_empty_tag_is_refused()
    {
        using var folder = new TempFolder();
        using var writer = new TensorBoardWriter(folder.Path);
        Assert.Contains("tag", Assert.Throws<ArgumentException>(() => writer.WriteScalar(1, "", 1)).Message);
    }
}
