using AceTrainer.TestSupport;
using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Audio;

public sealed class ResamplerTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(48000, 44100, 48000 + 123)]
    [InlineData(44100, 48000, 9000)]
    [InlineData(22050, 48000, 5001)]
    public void Matches_torchaudio_resample(int from, int to, int length)
    {
        var input = AudioSignals.NoisyChord(2, length, from, seed: length);
        var inputPath = folder.File("in.f32");
        var outputPath = folder.File("out.f32");
        AudioSignals.WriteFloats(inputPath, input);
        var referenceLength = long.Parse(PythonRunner.Run("audio_resample_reference.py", inputPath, outputPath, "2", from.ToString(), to.ToString()).Trim());
        var expected = AudioSignals.ReadFloats(outputPath);

        using var resampler = new Resampler(from, to);
        using var scope = new DisposeScope();
        var output = resampler.Forward(Tensor.From(input, 2, length));

        Assert.Equal(referenceLength, resampler.OutputLength(length));
        Assert.Equal([2L, referenceLength], output.Shape);
        AudioSignals.AssertClose(expected, output.ToArray<float>(), 1e-5);
    }

    [Fact]
    public void Keeps_leading_dimensions_and_reduces_rates()
    {
        using var resampler = new Resampler();
        using var scope = new DisposeScope();
        var output = resampler.Forward(Tensor.Zeros([3, 2, 4800]));

        Assert.Equal((160, 147), (resampler.From, resampler.To));
        Assert.Equal([3L, 2, 4410], output.Shape);
    }
}
