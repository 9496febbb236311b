using AceTrainer.TestSupport;
using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Tests.Support;
using AceTrainer.Engine;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Tests.Audio;

public sealed class MusicDcaeTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Encoder_input_matches_the_upstream_preparation()
    {
        const int length = 48000 + 777;
        var input = AudioSignals.NoisyChord(2 * 2, length, 48000, seed: 3);
        AudioSignals.WriteFloats(folder.File("in.f32"), input);
        var frames = long.Parse(PythonRunner.Run("audio_dcae_input_reference.py", folder.File("in.f32"), folder.File("out.f32"), "2").Trim());

        using var dcae = new MusicDcae(DcaeEncoder.Tiny());
        using var scope = new DisposeScope();
        var mel = dcae.NormalizedMel(Tensor.From(input, 2, 2, length));

        Assert.Equal([2L, 2, 128, frames], mel.Shape);
        Assert.Equal(frames / 8, dcae.EncodedFrames(length));
        AudioSignals.AssertClose(AudioSignals.ReadFloats(folder.File("out.f32")), mel.ToArray<float>(), 2e-5);
    }

    [Fact]
    public void Encode_scales_the_encoder_output_with_upstreams_shift_and_scale()
    {
        using var dcae = new MusicDcae(DcaeEncoder.Tiny());
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        var audio = Tensor.From(AudioSignals.NoisyChord(2, 30000, 48000, seed: 5), 1, 2, 30000);

        var latents = dcae.Encode(audio);
        var raw = dcae.Encoder.Forward(dcae.NormalizedMel(audio));

        Assert.Equal([1L, 8, 16, dcae.EncodedFrames(30000)], latents.Shape);
        // (z - shift_factor) * scale_factor with shift_factor = -1.9091
        var expected = raw.ToArray<float>().Select(z => (float)((z + 1.9091) * 0.1786)).ToArray();
        AudioSignals.AssertClose(expected, latents.ToArray<float>(), 1e-5);
    }

    [Fact]
    public void Chunked_encoding_equals_encoding_each_chunk_and_concatenating()
    {
        using var dcae = new MusicDcae(DcaeEncoder.Tiny());
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        const int length = 48000 * 2;
        var audio = Tensor.From(AudioSignals.NoisyChord(4, length, 48000, seed: 9), 2, 2, length);

        var chunked = dcae.Encode(audio, melChunkFrames: 64);

        var mel = dcae.NormalizedMel(audio); // 176 frames: chunks of 64, 64, 48
        Assert.Equal(176, mel.Size(3));
        var pieces = new[] { (0, 64), (64, 64), (128, 48) }
            .Select(c => (dcae.Encoder.Forward(mel.Narrow(3, c.Item1, c.Item2)) + 1.9091) * 0.1786).ToArray();
        var expected = Tensor.Cat(pieces, 3);
        Assert.Equal([2L, 8, 16, 22], chunked.Shape);
        AudioSignals.AssertClose(expected.ToArray<float>(), chunked.ToArray<float>(), 1e-5); // float32 sums in another order (thread splits) differ by ~1e-6
        Assert.Throws<ArgumentOutOfRangeException>(() => dcae.Encode(audio, melChunkFrames: 60));
    }

    [Fact]
    public void Latent_lengths_follow_upstream()
    {
        using var dcae = new MusicDcae(DcaeEncoder.Tiny());
        Assert.Equal(2583, dcae.LatentLength(240L * 48000));
        Assert.Equal(2584, dcae.EncodedFrames(240L * 48000));
        Assert.Equal(32, dcae.LatentLength(3L * 48000));
        Assert.Equal(33, dcae.EncodedFrames(3L * 48000));
    }

    [Fact]
    public void Loads_a_checkpoint_folder_and_ignores_decoder_tensors()
    {
        var root = WriteTinyCheckpoint();
        using var reference = new DcaeEncoder(DcaeConfig.FromFile(Path.Combine(root, MusicDcae.DcaeFolder, "config.json")));
        MusicDcae.LoadEncoderWeights(reference, Path.Combine(root, MusicDcae.DcaeFolder, MusicDcae.WeightsFile));

        using var dcae = MusicDcae.FromPretrained(root);
        using var direct = new MusicDcae(reference);
        using var scope = new DisposeScope();
        var audio = Tensor.From(AudioSignals.NoisyChord(2, 20000, 48000, seed: 11), 1, 2, 20000);

        Assert.Equal(new MelSettings(), dcae.Mel.Settings);
        var weights = dcae.Encoder.StateDict();
        Assert.Equal(weights.Keys.Order(StringComparer.Ordinal), reference.StateDict().Keys.Order(StringComparer.Ordinal));
        AudioSignals.AssertClose(direct.Encode(audio).ToArray<float>(), dcae.Encode(audio).ToArray<float>(), 0);
        using var file = SafeTensorsFile.Open(Path.Combine(root, MusicDcae.DcaeFolder, MusicDcae.WeightsFile));
        Assert.Equal(file.Load("encoder.conv_out.weight").ToArray<float>(), weights["conv_out.weight"].ToArray<float>());
    }

    [Fact]
    public void Missing_checkpoint_files_are_named()
    {
        var root = WriteTinyCheckpoint();
        File.Delete(Path.Combine(root, MusicDcae.VocoderFolder, "config.json"));
        File.Delete(Path.Combine(root, MusicDcae.DcaeFolder, MusicDcae.WeightsFile));

        var error = Assert.Throws<FileNotFoundException>(() => MusicDcae.FromPretrained(root));

        Assert.Contains(Path.Combine(MusicDcae.VocoderFolder, "config.json"), error.Message);
        Assert.Contains(MusicDcae.WeightsFile, error.Message);
    }

    [Fact]
    public void Checkpoint_without_an_encoder_tensor_is_rejected_by_name()
    {
        var root = WriteTinyCheckpoint(omit: "encoder.conv_out.bias");

        var error = Assert.Throws<InvalidDataException>(() => MusicDcae.FromPretrained(root));

        Assert.Contains("encoder.conv_out.bias", error.Message);
    }

    /// <summary>A checkpoint root with the tiny DCAE (random encoder weights plus a stray decoder tensor) and a vocoder config.</summary>
    private string WriteTinyCheckpoint(string? omit = null)
    {
        var root = folder.File("checkpoint");
        Directory.CreateDirectory(Path.Combine(root, MusicDcae.DcaeFolder));
        Directory.CreateDirectory(Path.Combine(root, MusicDcae.VocoderFolder));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "TestData", "audio_dcae_tiny_config.json"), Path.Combine(root, MusicDcae.DcaeFolder, "config.json"));
        File.WriteAllText(Path.Combine(root, MusicDcae.VocoderFolder, "config.json"),
            """{"sampling_rate": 44100, "n_fft": 2048, "win_length": 2048, "hop_length": 512, "f_min": 40, "f_max": 16000, "n_mels": 128, "upsample_rates": [4, 4, 2, 2, 2, 2, 2]}""");
        using var encoder = DcaeEncoder.Tiny();
        using var scope = new DisposeScope();
        var tensors = encoder.StateDict().ToDictionary(e => "encoder." + e.Key, e => e.Value);
        if (omit is not null) tensors.Remove(omit);
        tensors["decoder.conv_in.weight"] = Tensor.Ones([4, 8, 3, 3]);
        SafeTensorsWriter.Save(Path.Combine(root, MusicDcae.DcaeFolder, MusicDcae.WeightsFile), tensors);
        return root;
    }
}
