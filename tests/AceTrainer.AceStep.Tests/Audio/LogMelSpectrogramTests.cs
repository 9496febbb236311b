using AceTrainer.TestSupport;
using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Audio;

public sealed class LogMelSpectrogramTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Matches_the_torch_reference_and_its_filterbank()
    {
        const int length = 4096 * 6 + 300;
        var input = AudioSignals.NoisyChord(2, length, 44100, seed: 7);
        // a stretch of digital silence exercises the 1e-6 floor and the 1e-5 clamp
        Array.Clear(input, 5000, 6000);
        var inputPath = folder.File("in.f32");
        var outputPath = folder.File("out.f32");
        var bankPath = folder.File("bank.f32");
        AudioSignals.WriteFloats(inputPath, input);
        var frames = long.Parse(PythonRunner.Run("audio_log_mel_reference.py", inputPath, outputPath, "2", bankPath).Trim());

        using var transform = new LogMelSpectrogram();
        using var scope = new DisposeScope();
        var output = transform.Forward(Tensor.From(input, 2, length));

        Assert.Equal(frames, transform.Frames(length));
        Assert.Equal([2L, 128, frames], output.Shape);
        AudioSignals.AssertClose(AudioSignals.ReadFloats(bankPath), MelFilterbank.Slaney(new MelSettings()), 1e-6);
        AudioSignals.AssertClose(AudioSignals.ReadFloats(outputPath), output.ToArray<float>(), 1e-4);
    }

    [Fact]
    public void Frames_are_one_per_hop_for_padded_audio()
    {
        using var transform = new LogMelSpectrogram();
        using var scope = new DisposeScope();
        var output = transform.Forward(Tensor.Zeros([1, 2, 8192]));

        Assert.Equal([1L, 2, 128, 16], output.Shape);
        Assert.Equal(16, transform.Frames(8192));
        // silence leaves only the sqrt(1e-6) magnitude floor, weighted by each filter's sum and clamped at 1e-5
        var bank = MelFilterbank.Slaney(new MelSettings());
        var values = output.ToArray<float>();
        for (var m = 0; m < 128; m++)
        {
            var sum = Enumerable.Range(0, 1025).Sum(f => (double)bank[f * 128 + m]);
            var expected = Math.Log(Math.Max(1e-3 * sum, 1e-5));
            Assert.Equal(expected, values[m * 16 + 5], 4);
            Assert.Equal(expected, values[(128 + m) * 16 + 15], 4);
        }
    }

    [Fact]
    public void Vocoder_config_fields_override_defaults_and_missing_file_is_named()
    {
        using var folder = new TempFolder();
        var path = folder.File("config.json");
        File.WriteAllText(path, """{"sampling_rate": 44100, "n_fft": 1024, "hop_length": 256, "win_length": 1024, "n_mels": 80, "f_min": 0}""");

        var settings = MelSettings.FromVocoderConfig(path);

        Assert.Equal(new MelSettings(44100, 1024, 1024, 256, 80, 0, 16000), settings);
        var error = Assert.Throws<FileNotFoundException>(() => MelSettings.FromVocoderConfig(folder.File("absent.json")));
        Assert.Contains("absent.json", error.Message);
    }
}
