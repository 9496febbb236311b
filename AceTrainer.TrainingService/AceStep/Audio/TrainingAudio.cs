using System.Buffers.Binary;
using System.Diagnostics;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Audio;

/// <summary>
/// A training clip as ACE-Step's dataset prepares it: 48 kHz stereo float32 <c>[2, N]</c>, clamped to [-1, 1],
/// zero-padded to at least 3 s and cut at 240 s. <see cref="SilentFraction"/> is measured on the padded clip
/// before the cut (as upstream does); callers skip the clip when <see cref="IsMostlySilent"/>.
/// </summary>
public sealed class TrainingClip(Tensor samples, long decodedFrames, long silentFrames, int sourceChannels) : IDisposable
{
    /// <summary>[2, N] float32 at <see cref="TrainingAudio.SampleRate"/>.</summary>
    public Tensor Samples { get; } = samples;

    /// <summary>Frames ffmpeg produced (48 kHz), before padding and cutting.</summary>
    public long DecodedFrames { get; } = decodedFrames;

    /// <summary>Channels of the source stream (1 is duplicated, more than 2 keep the first two).</summary>
    public int SourceChannels { get; } = sourceChannels;

    public long Frames => Samples.Size(1);

    public double Seconds => (double)Frames / TrainingAudio.SampleRate;

    /// <summary>Share of frames whose channels are all exactly zero, over the clip padded to 3 s (uncut).</summary>
    public double SilentFraction { get; } = (double)silentFrames / Math.Max(decodedFrames, TrainingAudio.MinFrames);

    public bool IsMostlySilent => SilentFraction > TrainingAudio.SilenceThreshold;

    public void Dispose() => Samples.Dispose();
}

/// <summary>
/// Decodes any file ffmpeg reads into a <see cref="TrainingClip"/> (upstream <c>Text2MusicDataset.get_audio</c> and
/// the 240 s cut of <c>process</c>). ffmpeg resamples to 48 kHz and streams 32-bit float WAV on stdout; the channel
/// count comes from the WAV header so a mono source is duplicated at full level (ffmpeg's own <c>-ac 2</c> upmix
/// would scale it by 1/√2).
/// </summary>
public static class TrainingAudio
{
    public const int SampleRate = 48000;
    public const long MinFrames = 3L * SampleRate;
    public const long MaxFrames = 240L * SampleRate;
    public const double SilenceThreshold = 0.95;

    /// <summary>Decodes <paramref name="path"/>; throws <see cref="InvalidDataException"/> naming the file and ffmpeg's reason when it cannot.</summary>
    public static TrainingClip Load(string path, string ffmpeg = "ffmpeg", CancellationToken cancellation = default)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"audio file not found: {path}", path);
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-nostdin", "-hide_banner", "-v", "error", "-i", "file:" + Path.GetFullPath(path), "-vn", "-sn", "-dn", "-map_metadata", "-1",
                     "-ar", SampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:a", "pcm_f32le", "-f", "wav", "-" })
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new InvalidOperationException($"cannot run '{ffmpeg}' to decode {path}: {error.Message} (install the apt package 'ffmpeg')", error);
        }
        using (process)
        using (cancellation.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } }))
        {
            var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
            PcmReader? reader = null;
            InvalidDataException? malformed = null;
            try
            {
                reader = PcmReader.Read(process.StandardOutput.BaseStream);
            }
            catch (InvalidDataException error)
            {
                malformed = error;
            }
            finally
            {
                // closing the pipe ends an ffmpeg that is still writing (broken pipe)
                process.StandardOutput.BaseStream.Dispose();
            }
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                process.WaitForExit();
            }
            cancellation.ThrowIfCancellationRequested();
            if (process.ExitCode != 0) throw Undecodable(path, process, errors.Result);
            if (malformed is not null) throw new InvalidDataException($"cannot decode {path}: {malformed.Message}", malformed);
            if (reader!.Frames == 0) throw new InvalidDataException($"cannot decode {path}: ffmpeg found no audio samples");
            return reader.ToClip();
        }
    }

    private static InvalidDataException Undecodable(string path, Process process, string stderr)
    {
        var reason = string.Join(" ", stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (reason.Length == 0) reason = "no audio stream";
        return new InvalidDataException($"cannot decode {path} (ffmpeg exit {process.ExitCode}): {reason}");
    }

    /// <summary>Streams a 32-bit float WAV: keeps at most <see cref="MaxFrames"/> clamped stereo frames, counts silent frames over all.</summary>
    private sealed class PcmReader
    {
        private readonly List<float[]> blocks = [];
        private int channels;
        private long silent;

        public long Frames { get; private set; }

        public static PcmReader Read(Stream stream)
        {
            var reader = new PcmReader();
            reader.channels = ReadHeader(stream);
            reader.ReadSamples(stream);
            return reader;
        }

        public TrainingClip ToClip()
        {
            var kept = Math.Min(Frames, MaxFrames);
            var length = Math.Max(kept, MinFrames);
            var planar = new float[2 * length];
            long frame = 0;
            foreach (var block in blocks)
            {
                for (var k = 0; k + 1 < block.Length && frame < kept; k += 2, frame++)
                {
                    planar[frame] = block[k];
                    planar[length + frame] = block[k + 1];
                }
            }
            var padding = Math.Max(0, MinFrames - Frames);
            return new TrainingClip(Tensor.From(planar, 2, length), Frames, silent + padding, channels);
        }

        private static int ReadHeader(Stream stream)
        {
            Span<byte> head = stackalloc byte[12];
            ReadExactly(stream, head, "RIFF header");
            if (!head[..4].SequenceEqual("RIFF"u8) || !head[8..12].SequenceEqual("WAVE"u8))
                throw new InvalidDataException("ffmpeg did not produce a WAV stream");
            var channelCount = 0;
            Span<byte> chunk = stackalloc byte[8];
            while (true)
            {
                ReadExactly(stream, chunk, "WAV chunk header");
                var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
                if (chunk[..4].SequenceEqual("data"u8))
                {
                    if (channelCount == 0) throw new InvalidDataException("WAV data before its format chunk");
                    return channelCount;
                }
                var body = new byte[size + (size & 1)];
                ReadExactly(stream, body, "WAV chunk");
                if (chunk[..4].SequenceEqual("fmt "u8))
                {
                    channelCount = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(2));
                    var bits = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(14));
                    if (channelCount < 1 || bits != 32) throw new InvalidDataException($"unexpected WAV format: {channelCount} channels, {bits} bits");
                }
            }
        }

        private void ReadSamples(Stream stream)
        {
            var frameBytes = channels * sizeof(float);
            var buffer = new byte[frameBytes * 16384];
            var filled = 0;
            int read;
            while ((read = stream.Read(buffer, filled, buffer.Length - filled)) > 0)
            {
                filled += read;
                var whole = filled / frameBytes * frameBytes;
                Consume(buffer.AsSpan(0, whole));
                Buffer.BlockCopy(buffer, whole, buffer, 0, filled - whole);
                filled -= whole;
            }
        }

        private void Consume(ReadOnlySpan<byte> bytes)
        {
            var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
            var count = samples.Length / channels;
            var keep = (int)Math.Clamp(MaxFrames - Frames, 0, count);
            var block = keep > 0 ? new float[2 * keep] : null;
            for (var f = 0; f < count; f++)
            {
                var left = Math.Clamp(samples[f * channels], -1f, 1f);
                var right = channels == 1 ? left : Math.Clamp(samples[f * channels + 1], -1f, 1f);
                if (left == 0f && right == 0f) silent++;
                if (f < keep)
                {
                    block![2 * f] = left;
                    block[2 * f + 1] = right;
                }
            }
            if (block is not null) blocks.Add(block);
            Frames += count;
        }

        private static void ReadExactly(Stream stream, Span<byte> target, string what)
        {
            var total = 0;
            while (total < target.Length)
            {
                var read = stream.Read(target[total..]);
                if (read == 0) throw new InvalidDataException($"ffmpeg output ended inside the {what}");
                total += read;
            }
        }
    }
}
