using AceTrainer.Engine;
using AceTrainer.Engine.Dispatch;

namespace AceTrainer.AceStep.Audio;

/// <summary>
/// Band-limited resampling with a Hann-windowed sinc, numerically the same as
/// <c>torchaudio.transforms.Resample(from, to)</c> with its defaults (sinc_interp_hann, lowpass_filter_width 6,
/// rolloff 0.99): the rates are reduced by their gcd, one filter per output phase is applied as a strided conv1d.
/// </summary>
public sealed class Resampler : IDisposable
{
    private readonly Tensor kernel;
    private readonly long width;

    public Resampler(int fromRate = 48000, int toRate = 44100, int lowpassFilterWidth = 6, double rolloff = 0.99)
    {
        if (fromRate <= 0 || toRate <= 0) throw new ArgumentOutOfRangeException(nameof(fromRate), "sample rates must be positive");
        var gcd = Gcd(fromRate, toRate);
        (FromRate, ToRate) = (fromRate, toRate);
        (From, To) = (fromRate / gcd, toRate / gcd);
        var baseFrequency = Math.Min(From, To) * rolloff;
        width = (long)Math.Ceiling(lowpassFilterWidth * From / baseFrequency);
        var taps = 2 * width + From;
        var values = new float[To * taps];
        for (var phase = 0; phase < To; phase++)
        {
            // torchaudio forms -phase/To in float32 (integer arange divided by an int) before mixing with float64
            double offset = (float)-phase / (float)To;
            for (var k = 0; k < taps; k++)
            {
                var t = (offset + (k - width) / (double)From) * baseFrequency;
                t = Math.Clamp(t, -lowpassFilterWidth, lowpassFilterWidth);
                var window = Math.Pow(Math.Cos(t * Math.PI / lowpassFilterWidth / 2), 2);
                t *= Math.PI;
                var sinc = t == 0 ? 1.0 : Math.Sin(t) / t;
                values[phase * taps + k] = (float)(sinc * window * baseFrequency / From);
            }
        }
        kernel = Tensor.From(values, To, 1, taps).DetachFromDisposeScope();
    }

    public int FromRate { get; }
    public int ToRate { get; }

    /// <summary>Reduced rates (48000 → 44100 gives 160 → 147).</summary>
    public int From { get; }
    public int To { get; }

    /// <summary>Samples out for <paramref name="inputLength"/> samples in: ceil(To · n / From).</summary>
    public long OutputLength(long inputLength) => (To * inputLength + From - 1) / From;

    /// <summary>Resamples the last dimension of a floating-point tensor of any shape.</summary>
    public Tensor Forward(Tensor waveform)
    {
        if (FromRate == ToRate) return waveform.Clone();
        if (!waveform.DType.IsFloatingPoint()) throw new ArgumentException($"resampling needs a floating-point waveform, got {waveform.DType}");
        var shape = waveform.Shape;
        var length = shape[^1];
        using var scope = new DisposeScope();
        var filter = kernel.To(waveform.Device, waveform.DType);
        var rows = waveform.Reshape(-1, 1, length);
        var padded = Op.Get("aten::constant_pad_nd").Invoke(rows, new[] { width, width + From }, 0.0);
        var phases = Functional.Conv1d(padded, filter, stride: From); // [rows, To, frames]
        var interleaved = phases.Transpose(1, 2).Reshape(rows.Size(0), -1);
        var outShape = shape.ToArray();
        outShape[^1] = OutputLength(length);
        var result = interleaved.Narrow(1, 0, outShape[^1]).Reshape(outShape);
        return scope.MoveOut(result);
    }

    public void Dispose() => kernel.Dispose();

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
