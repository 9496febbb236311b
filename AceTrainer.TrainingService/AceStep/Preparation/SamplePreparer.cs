using System.Security.Cryptography;
using System.Text;
using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Text;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Preparation;

/// <summary>How samples are turned into conditioning; every field is part of each entry's content hash.</summary>
public sealed record PreparationSettings(int PromptVariants, string TriggerWord, string LyricsLanguage, long Seed);

/// <summary>
/// Computes what training consumes, once per sample: audio → 48 kHz stereo → DCAE latents (upstream's trainer
/// keeps the DCAE in float32), the prompt → UMT5 hidden states for K tag orders (upstream reshuffles the tags every
/// step; the cache keeps K shuffles and the trainer picks one per step), lyrics → token ids. Results are stored
/// under a hash of every input, so an unchanged sample is never prepared twice and a changed one never reused.
/// </summary>
public sealed class SamplePreparer(MusicDcae dcae, TextConditioning text, PreparationSettings settings, string encoderFingerprint)
{
    /// <summary>Bumped whenever the preparation itself changes, so old cache entries stop matching.</summary>
    public const string Version = "prep-1";

    /// <summary>Prepares (or fetches from <paramref name="store"/>) every sample; mostly silent clips are skipped.</summary>
    public async Task<List<PreparedSample>> PrepareAllAsync(IReadOnlyList<TrainingSample> samples, IPreparedSampleStore store,
        Action<string>? log, CancellationToken cancellationToken)
    {
        var prepared = new List<PreparedSample>();
        var scratch = Directory.CreateTempSubdirectory("acestep-prepare-").FullName;
        try
        {
            for (var k = 0; k < samples.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var sample = samples[k];
                var hash = await ContentHashAsync(sample, cancellationToken);
                var path = await store.TryGetAsync(hash, cancellationToken);
                if (path is null)
                {
                    using var fresh = Prepare(sample, hash, cancellationToken);
                    if (fresh is null)
                    {
                        log?.Invoke($"[{k + 1}/{samples.Count}] {sample.Key}: skipped, more than 95% silence");
                        continue;
                    }
                    path = Path.Combine(scratch, hash + ".safetensors");
                    fresh.Save(path);
                    await store.PutAsync(hash, path, cancellationToken);
                    log?.Invoke($"[{k + 1}/{samples.Count}] {sample.Key}: prepared, {fresh.LatentFrames} latent frames");
                }
                else
                {
                    log?.Invoke($"[{k + 1}/{samples.Count}] {sample.Key}: from cache");
                }
                prepared.Add(PreparedSample.Load(path));
            }
        }
        catch
        {
            prepared.ForEach(p => p.Dispose());
            throw;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
        if (prepared.Count == 0) throw new InvalidDataException("no sample could be prepared (all were more than 95% silence)");
        return prepared;
    }

    /// <summary>The sample's tensors with its cached prompt variants, or null when the clip is more than 95% silence (upstream skips those).</summary>
    public PreparedSample? Prepare(TrainingSample sample, string contentHash, CancellationToken cancellationToken = default) =>
        Prepare(sample, contentHash, PromptVariants(sample, contentHash), cancellationToken);

    /// <summary>The sample's tensors with the given prompts as its variants; null for a mostly silent clip.</summary>
    public PreparedSample? Prepare(TrainingSample sample, string contentHash, IReadOnlyList<string> prompts, CancellationToken cancellationToken = default)
    {
        using var scope = new DisposeScope();
        using var noGrad = Torch.NoGrad();
        using var clip = TrainingAudio.Load(sample.AudioPath, cancellation: cancellationToken);
        if (clip.IsMostlySilent) return null;
        var latents = dcae.Encode(clip.Samples.Unsqueeze(0)).Squeeze(0).To(Device.Cpu, DType.Float32);

        var variants = prompts.Select(text.EncodePrompt).ToList();
        var length = variants.Max(v => v.HiddenStates.Size(0));
        var states = Tensor.Stack(variants.Select(v => Pad(v.HiddenStates.To(DType.Float32), length)).ToList());
        var masks = Tensor.Stack(variants.Select(v => Pad(v.Mask.To(DType.Float32), length)).ToList());
        var (lyricIds, lyricMask) = text.EncodeLyrics(sample.Lyrics, settings.LyricsLanguage, sample.Instrumental);
        return new PreparedSample
        {
            Key = sample.Key,
            ContentHash = contentHash,
            Latents = latents.DetachFromDisposeScope(),
            TextStates = states.DetachFromDisposeScope(),
            TextMask = masks.DetachFromDisposeScope(),
            LyricTokens = lyricIds.DetachFromDisposeScope(),
            LyricMask = lyricMask.DetachFromDisposeScope(),
        };
    }

    /// <summary>The trigger word, then the tags: first in their written order, then in seeded shuffles.</summary>
    public IReadOnlyList<string> PromptVariants(TrainingSample sample, string contentHash)
    {
        var random = new Random(BitConverter.ToInt32(Convert.FromHexString(contentHash[..8])));
        return Enumerable.Range(0, settings.PromptVariants).Select(v => Prompt(sample, v == 0 ? null : random)).ToList();
    }

    /// <summary>The trigger word, then the tags, shuffled by <paramref name="random"/> when given (upstream's per-step prompt).</summary>
    public string Prompt(TrainingSample sample, Random? random)
    {
        var tags = TextConditioning.PromptFromTags(sample.Tags, random);
        return settings.TriggerWord.Length == 0 ? tags : $"{settings.TriggerWord}, {tags}";
    }

    /// <summary>True unless the clip is more than 95% silence (decodes it once).</summary>
    public static bool IsUsable(TrainingSample sample, CancellationToken cancellationToken = default)
    {
        using var scope = new DisposeScope();
        using var clip = TrainingAudio.Load(sample.AudioPath, cancellation: cancellationToken);
        return !clip.IsMostlySilent;
    }

    /// <summary>SHA-256 over the audio bytes, the texts, the settings, the encoders and <see cref="Version"/>.</summary>
    public async Task<string> ContentHashAsync(TrainingSample sample, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var audio = File.OpenRead(sample.AudioPath))
            hash.AppendData(await SHA256.HashDataAsync(audio, cancellationToken));
        foreach (var part in new[] { Version, encoderFingerprint, sample.Prompt, sample.Lyrics, sample.Instrumental.ToString(),
                     settings.TriggerWord, settings.LyricsLanguage, settings.PromptVariants.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     settings.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static Tensor Pad(Tensor tensor, long length)
    {
        var missing = length - tensor.Size(0);
        if (missing == 0) return tensor;
        var shape = tensor.Shape;
        shape[0] = missing;
        return Tensor.Cat([tensor, Tensor.Zeros(shape, tensor.DType)], 0);
    }
}
