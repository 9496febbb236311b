using AceTrainer.Engine;
using AceTrainer.Engine.Dispatch;

namespace AceTrainer.AceStep.Audio;

/// <summary>
/// ACE-Step's <c>music_log_mel.LogMelSpectrogram</c>: reflect padding of (win−hop)/2 on each side, STFT without
/// centering (periodic Hann window), magnitude sqrt(re² + im² + 1e-6), Slaney-scale and Slaney-normalised mel
/// filters (torchaudio <c>melscale_fbanks</c>), then log(max(x, 1e-5)). Always computed in float32, as upstream does.
/// </summary>
public sealed class LogMelSpectrogram : IDisposable
{
    private readonly Tensor filterbank; // [n_fft/2+1, n_mels]

    public LogMelSpectrogram(MelSettings? settings = null)
    {
        Settings = settings ?? new MelSettings();
        filterbank = Tensor.From(MelFilterbank.Slaney(Settings), Settings.NFft / 2 + 1, Settings.NMels).DetachFromDisposeScope();
    }

    public MelSettings Settings { get; }

    /// <summary>Mel frames for <paramref name="samples"/> input samples.</summary>
    public long Frames(long samples) => (samples + Settings.WinLength - Settings.HopLength - Settings.NFft) / Settings.HopLength + 1;

    /// <summary>[..., N] waveform at <see cref="MelSettings.SampleRate"/> → [..., n_mels, frames] float32 log-mel.</summary>
    public Tensor Forward(Tensor waveform)
    {
        var shape = waveform.Shape;
        using var scope = new DisposeScope();
        var rows = waveform.To(DType.Float32).Reshape(-1, 1, shape[^1]);
        var left = (Settings.WinLength - Settings.HopLength) / 2;
        var right = (Settings.WinLength - Settings.HopLength + 1) / 2;
        var padded = Op.Get("aten::reflection_pad1d").Invoke(rows, new long[] { left, right }).Squeeze(1);
        var window = Op.Get("aten::hann_window").Invoke((long)Settings.WinLength, DType.Float32, OpArg.None, waveform.Device);
        var complex = Op.Get("aten::stft").Invoke(padded, (long)Settings.NFft, (long)Settings.HopLength, (long)Settings.WinLength,
            window, false, true, true);
        var parts = Op.Get("aten::view_as_real").Invoke(complex); // [rows, freq, frames, 2]
        var magnitude = (parts.Square().Sum(-1) + 1e-6).Sqrt();
        var mel = magnitude.Transpose(-1, -2).MatMul(filterbank.To(waveform.Device)).Transpose(-1, -2);
        var logMel = mel.Clamp(1e-5, null).Log();
        var outShape = shape[..^1].Concat([Settings.NMels, logMel.Size(-1)]).ToArray();
        return scope.MoveOut(logMel.Reshape(outShape));
    }

    public void Dispose() => filterbank.Dispose();
}

/// <summary>Triangular mel filters as torchaudio's <c>melscale_fbanks(..., norm="slaney", mel_scale="slaney")</c> builds them.</summary>
public static class MelFilterbank
{
    /// <summary>Row-major [n_fft/2+1, n_mels] weights.</summary>
    public static float[] Slaney(MelSettings settings)
    {
        var frequencies = settings.NFft / 2 + 1;
        var mels = settings.NMels;
        var nyquist = settings.SampleRate / 2; // integer division, as torchaudio's sample_rate // 2
        var low = HzToMel(settings.FMin);
        var high = HzToMel(settings.FMax);
        var points = new double[mels + 2];
        for (var k = 0; k < points.Length; k++) points[k] = MelToHz(low + (high - low) * k / (mels + 1));
        var weights = new float[frequencies * mels];
        for (var f = 0; f < frequencies; f++)
        {
            var hz = (double)nyquist * f / (frequencies - 1);
            for (var m = 0; m < mels; m++)
            {
                var rising = (hz - points[m]) / (points[m + 1] - points[m]);
                var falling = (points[m + 2] - hz) / (points[m + 2] - points[m + 1]);
                var triangle = Math.Max(0, Math.Min(rising, falling));
                weights[f * mels + m] = (float)(triangle * 2.0 / (points[m + 2] - points[m]));
            }
        }
        return weights;
    }

    private const double LinearStep = 200.0 / 3;
    private const double LogStart = 1000.0;
    private static readonly double LogStep = Math.Log(6.4) / 27.0;

    public static double HzToMel(double hz) =>
        hz < LogStart ? hz / LinearStep : LogStart / LinearStep + Math.Log(hz / LogStart) / LogStep;

    public static double MelToHz(double mel) =>
        mel < LogStart / LinearStep ? mel * LinearStep : LogStart * Math.Exp(LogStep * (mel - LogStart / LinearStep));
}
