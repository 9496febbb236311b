using AceTrainer.Engine.Modules;
using AceTrainer.Engine;
using AceTrainer.Engine.Dispatch;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Audio;

/// <summary>
/// The encode path of ACE-Step's <c>MusicDCAE</c> pipeline: 48 kHz stereo → 44.1 kHz (<see cref="Resampler"/>) →
/// zero-pad to a multiple of 4096 samples → per-channel log-mel (<see cref="LogMelSpectrogram"/>) → normalise
/// ((mel + 11) / 14 − 0.5) / 0.5 → <see cref="DcaeEncoder"/> → (z − shift) · scale with shift −1.9091, scale 0.1786.
/// Output: [B, 8, 16, T] latents, T = padded mel frames / 8 (about 10.77 per second).
/// </summary>
public sealed class MusicDcae : IDisposable
{
    public const string DcaeFolder = "music_dcae_f8c8";
    public const string VocoderFolder = "music_vocoder";
    public const string WeightsFile = "diffusion_pytorch_model.safetensors";
    public const double ScaleFactor = 0.1786;
    public const double ShiftFactor = -1.9091;
    public const double MinMelValue = -11.0;
    public const double MaxMelValue = 3.0;

    private readonly Resampler resampler;

    /// <param name="encoder">Any encoder config (the tiny one in tests); its parameters fix the device and dtype.</param>
    /// <param name="mel">Mel settings (music_vocoder/config.json); their sample rate is the encoder's (44.1 kHz).</param>
    public MusicDcae(DcaeEncoder encoder, MelSettings? mel = null, int sourceSampleRate = TrainingAudio.SampleRate)
    {
        Encoder = encoder;
        Encoder.Eval();
        Encoder.Freeze();
        Mel = new LogMelSpectrogram(mel);
        SourceSampleRate = sourceSampleRate;
        resampler = new Resampler(sourceSampleRate, Mel.Settings.SampleRate);
    }

    public DcaeEncoder Encoder { get; }

    public LogMelSpectrogram Mel { get; }

    public int SourceSampleRate { get; }

    /// <summary>Resampled audio is zero-padded to a multiple of this many samples (8 mel hops).</summary>
    public int PaddingMultiple => Encoder.Config.DownsamplingFactor * Mel.Settings.HopLength;

    /// <summary>
    /// Loads the official checkpoint folder: <c>music_dcae_f8c8/config.json</c>, the <c>encoder.*</c> tensors of
    /// <c>music_dcae_f8c8/diffusion_pytorch_model.safetensors</c> (decoder tensors are ignored) and the mel settings of
    /// <c>music_vocoder/config.json</c>.
    /// </summary>
    public static MusicDcae FromPretrained(string checkpointRoot, Device? device = null, DType? dtype = null)
    {
        var configPath = Path.Combine(checkpointRoot, DcaeFolder, "config.json");
        var weightsPath = Path.Combine(checkpointRoot, DcaeFolder, WeightsFile);
        var vocoderPath = Path.Combine(checkpointRoot, VocoderFolder, "config.json");
        var missing = new[] { configPath, weightsPath, vocoderPath }.Where(p => !File.Exists(p)).ToList();
        if (missing.Count > 0)
            throw new FileNotFoundException($"ACE-Step checkpoint folder {checkpointRoot} lacks {string.Join(", ", missing)}", missing[0]);
        // allocated once on the target, uninitialised: LoadEncoderWeights copies every tensor from the file
        DcaeEncoder encoder;
        using (ModuleInit.On(device ?? Device.Cpu, dtype)) encoder = new DcaeEncoder(DcaeConfig.FromFile(configPath));
        try
        {
            LoadEncoderWeights(encoder, weightsPath);
            encoder.To(device, dtype);
            return new MusicDcae(encoder, MelSettings.FromVocoderConfig(vocoderPath));
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>Copies the <c>encoder.*</c> tensors of an AutoencoderDC safetensors file into <paramref name="encoder"/>.</summary>
    public static void LoadEncoderWeights(DcaeEncoder encoder, string weightsPath)
    {
        using var file = SafeTensorsFile.Open(weightsPath);
        var parameters = encoder.NamedParameters().ToList();
        var absent = parameters.Select(p => "encoder." + p.Name).Where(key => !file.Tensors.ContainsKey(key)).ToList();
        if (absent.Count > 0)
            throw new InvalidDataException($"{weightsPath} lacks {absent.Count} encoder tensor(s) the config needs, e.g. {string.Join(", ", absent.Take(5))}");
        using var noGrad = Torch.NoGrad();
        foreach (var (name, parameter) in parameters)
        {
            using var scope = new DisposeScope();
            var source = file.Load("encoder." + name);
            if (!source.Shape.SequenceEqual(parameter.Shape))
                throw new InvalidDataException($"{weightsPath}: encoder.{name} is [{string.Join(",", source.Shape)}], the config needs [{string.Join(",", parameter.Shape)}]");
            parameter.Copy_(source);
        }
    }

    /// <summary>Latent frames upstream reports for an unpadded clip of <paramref name="audioSamples"/> source samples
    /// (<c>latent_lengths</c>: floor(n / sr · 44100 / 512 / 8), computed in float32 as upstream does).</summary>
    public long LatentLength(long audioSamples)
    {
        var x = (float)audioSamples / SourceSampleRate;
        x = x * Mel.Settings.SampleRate / Mel.Settings.HopLength / Encoder.Config.DownsamplingFactor;
        return (long)x;
    }

    /// <summary>Latent frames <see cref="Encode"/> returns for <paramref name="audioSamples"/> source samples (after padding).</summary>
    public long EncodedFrames(long audioSamples)
    {
        var resampled = resampler.OutputLength(audioSamples);
        var padded = (resampled + PaddingMultiple - 1) / PaddingMultiple * PaddingMultiple;
        return Mel.Frames(padded) / Encoder.Config.DownsamplingFactor;
    }

    /// <summary>[B, 2, N] source-rate audio → [B, 2, n_mels, F] normalised log-mel in [-1, 1]-ish, the encoder's input (float32).</summary>
    public Tensor NormalizedMel(Tensor audio)
    {
        if (audio.Dim != 3 || audio.Size(1) != Encoder.Config.InChannels)
            throw new ArgumentException($"MusicDcae encodes [B, {Encoder.Config.InChannels}, N] audio; got [{string.Join(", ", audio.Shape)}]");
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        var device = Encoder.conv_out.weight.Device;
        var resampled = resampler.Forward(audio.To(device, DType.Float32));
        var remainder = resampled.Size(-1) % PaddingMultiple;
        if (remainder != 0)
            resampled = Op.Get("aten::constant_pad_nd").Invoke(resampled, new[] { 0L, PaddingMultiple - remainder }, 0.0);
        var mel = Mel.Forward(resampled);
        var unit = (mel - MinMelValue) / (MaxMelValue - MinMelValue);
        return scope.MoveOut((unit - 0.5) / 0.5);
    }

    /// <summary>
    /// Encodes [B, 2, N] source-rate audio to scaled latents [B, 8, 16, T]. With <paramref name="melChunkFrames"/> null
    /// each clip goes through the encoder whole, as upstream's <c>MusicDCAE.encode</c> does; a chunk size (a multiple
    /// of 8) bounds memory by encoding that many mel frames at a time and concatenating, which is not bit-identical near
    /// chunk edges (convolutions and attention see only their chunk).
    /// </summary>
    public Tensor Encode(Tensor audio, int? melChunkFrames = null)
    {
        var factor = Encoder.Config.DownsamplingFactor;
        if (melChunkFrames is { } chunk && (chunk <= 0 || chunk % factor != 0))
            throw new ArgumentOutOfRangeException(nameof(melChunkFrames), $"a mel chunk must be a positive multiple of {factor} frames, got {chunk}");
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        var mels = NormalizedMel(audio).To(Encoder.conv_out.weight.DType);
        var latents = new List<Tensor>();
        for (var b = 0; b < mels.Size(0); b++)
        {
            var mel = mels.Narrow(0, b, 1);
            var pieces = melChunkFrames is { } size ? mel.Split(size, 3) : [mel];
            var encoded = pieces.Select(Encoder.Forward).ToList();
            latents.Add(encoded.Count == 1 ? encoded[0] : Tensor.Cat(encoded, 3));
        }
        var z = latents.Count == 1 ? latents[0] : Tensor.Cat(latents, 0);
        return scope.MoveOut((z - ShiftFactor) * ScaleFactor);
    }

    public void Dispose()
    {
        Encoder.Dispose();
        Mel.Dispose();
        resampler.Dispose();
    }
}
