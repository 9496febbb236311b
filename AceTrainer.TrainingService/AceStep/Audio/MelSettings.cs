using System.Text.Json;

namespace AceTrainer.AceStep.Audio;

/// <summary>
/// The log-mel transform the DCAE was trained on: the <c>mel_transform</c> of ACE-Step's vocoder
/// (<c>ADaMoSHiFiGANV1</c>), whose <c>music_vocoder/config.json</c> holds these fields (defaults = its constructor's).
/// </summary>
public sealed record MelSettings(
    int SampleRate = 44100,
    int NFft = 2048,
    int WinLength = 2048,
    int HopLength = 512,
    int NMels = 128,
    double FMin = 40,
    double FMax = 16000)
{
    /// <summary>Reads <c>sampling_rate, n_fft, win_length, hop_length, n_mels, f_min, f_max</c>; absent fields keep the defaults.</summary>
    public static MelSettings FromVocoderConfig(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"vocoder config not found: {path}", path);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var defaults = new MelSettings();
        int Int(string name, int fallback) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : fallback;
        double Real(string name, double fallback) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;
        var sampleRate = Int("sampling_rate", defaults.SampleRate);
        // the vocoder's default is 16 kHz; an explicit null or 0 means Nyquist (LogMelSpectrogram's `f_max or sr // 2`)
        var fMax = !root.TryGetProperty("f_max", out var f) ? defaults.FMax
            : f.ValueKind == JsonValueKind.Number && f.GetDouble() > 0 ? f.GetDouble() : sampleRate / 2;
        var settings = new MelSettings(sampleRate, Int("n_fft", defaults.NFft), Int("win_length", defaults.WinLength),
            Int("hop_length", defaults.HopLength), Int("n_mels", defaults.NMels), Real("f_min", defaults.FMin), fMax);
        return settings;
    }
}
