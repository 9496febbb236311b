using System.Security.Cryptography;
using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Preparation;
using AceTrainer.AceStep.Text;
using AceTrainer.AceStep.Tiny;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Training;

/// <summary>
/// A whole run from a <see cref="TrainingConfig"/>: read the dataset folder, prepare (or fetch) every sample with
/// the DCAE and text encoders, free them, load the transformer, train. Without a checkpoint_dir it generates and
/// uses the tiny checkpoint, through the same loading code as the real one.
/// </summary>
public static class TrainingRun
{
    public static Task<TrainingResult> RunAsync(TrainingConfig config, ITrainingObserver observer, CancellationToken cancellationToken,
        IPreparedSampleStore? store = null) =>
        RunAsync(config, DatasetFolder.Read(config.EnsureValid().DatasetDir), observer, cancellationToken, store);

    /// <summary>Trains on <paramref name="samples"/> (audio files already on disk) instead of reading config.dataset_dir.</summary>
    public static async Task<TrainingResult> RunAsync(TrainingConfig config, IReadOnlyList<TrainingSample> samples, ITrainingObserver observer,
        CancellationToken cancellationToken, IPreparedSampleStore? store = null)
    {
        config.EnsureValid();
        var device = ResolveDevice(config.Device);
        var dtype = config.Precision == "bf16" ? DType.BFloat16 : DType.Float32;
        var cacheRoot = config.CacheDir ?? Path.Combine(config.OutputDir, "prepared");
        var checkpoint = config.CheckpointDir ?? TinyCheckpoint.EnsureCreated(Path.Combine(cacheRoot, "tiny-checkpoint"));
        if (config.CheckpointDir is null) observer.OnLog($"no checkpoint_dir: training the tiny model ({checkpoint})");
        var vocabulary = LyricVocabulary(config, checkpoint);
        store ??= new FolderPreparedSampleStore(cacheRoot);
        var settings = new PreparationSettings(config.PromptVariants, config.TriggerWord, config.LyricsLanguage, config.Seed);

        if (config.PrepareOnTheFly)
        {
            using var dcae = MusicDcae.FromPretrained(checkpoint, device);
            using var text = TextConditioning.Load(checkpoint, vocabulary, device);
            var preparer = new SamplePreparer(dcae, text, settings, Fingerprint(checkpoint));
            var usable = samples.Where(s => SamplePreparer.IsUsable(s, cancellationToken)).ToList();
            if (usable.Count == 0) throw new InvalidDataException("every sample is more than 95% silence");
            observer.OnLog($"{usable.Count} of {samples.Count} samples usable; latents and text states are computed at every step");
            return Train(config, checkpoint, device, dtype, new OnTheFlySamples(preparer, usable, config.Seed), observer, cancellationToken);
        }

        var prepared = await PrepareAsync(checkpoint, vocabulary, device, settings, samples, store, observer, cancellationToken);
        try
        {
            return Train(config, checkpoint, device, dtype, new CachedSamples(prepared), observer, cancellationToken);
        }
        finally
        {
            prepared.ForEach(p => p.Dispose());
        }
    }

    /// <summary>Prepares every sample (or takes it from the store); the encoders are released before training starts.</summary>
    private static async Task<List<PreparedSample>> PrepareAsync(string checkpoint, string vocabulary, Device device, PreparationSettings settings,
        IReadOnlyList<TrainingSample> samples, IPreparedSampleStore store, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        using var dcae = MusicDcae.FromPretrained(checkpoint, device);
        using var text = TextConditioning.Load(checkpoint, vocabulary, device);
        var preparer = new SamplePreparer(dcae, text, settings, Fingerprint(checkpoint));
        return await preparer.PrepareAllAsync(samples, store, observer.OnLog, cancellationToken);
    }

    private static TrainingResult Train(TrainingConfig config, string checkpoint, Device device, DType dtype, ISampleSource samples,
        ITrainingObserver observer, CancellationToken cancellationToken)
    {
        using var model = AceStepTransformer.FromPretrained(checkpoint, device, dtype);
        using var trainer = new LoraTrainer(config, model, samples, device, observer);
        return trainer.Train(cancellationToken);
    }

    public static Device ResolveDevice(string device) => device switch
    {
        "cpu" => Device.Cpu,
        "cuda" when Torch.CudaIsAvailable => Device.Cuda(),
        "cuda" => throw new NotSupportedException("device 'cuda' was asked for, but this libtorch sees no CUDA device (build the engine against a CUDA libtorch, see Engine/README.md)"),
        _ => Torch.CudaIsAvailable ? Device.Cuda() : Device.Cpu,
    };

    /// <summary>lyric_vocab, else vocab.json in the checkpoint folder; a clear error naming both when neither exists.</summary>
    public static string LyricVocabulary(TrainingConfig config, string checkpoint)
    {
        var candidates = config.LyricVocab is { } given ? [given] : new[] { Path.Combine(checkpoint, "vocab.json") };
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException(
            $"lyric vocabulary not found at {string.Join(" or ", candidates)}: set lyric_vocab to ACE-Step's acestep/models/lyrics_utils/vocab.json", candidates[0]);
    }

    /// <summary>
    /// Identity of the encoders that prepared samples depend on, the same on every machine: the config and tokenizer
    /// files' bytes, and each weights file's length with hashes of its first and last MiB (hashing gigabytes per run
    /// would cost more than it protects).
    /// </summary>
    public static string Fingerprint(string checkpoint)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var relative in new[]
                 {
                     $"{MusicDcae.DcaeFolder}/config.json", $"{MusicDcae.DcaeFolder}/{MusicDcae.WeightsFile}", $"{MusicDcae.VocoderFolder}/config.json",
                     $"{TextConditioning.TextEncoderFolder}/config.json", $"{TextConditioning.TextEncoderFolder}/{Umt5Tokenizer.ModelFileName}",
                     $"{TextConditioning.TextEncoderFolder}/model.safetensors",
                 })
        {
            var path = Path.Combine(checkpoint, relative);
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(relative));
            if (!File.Exists(path)) continue;
            using var file = File.OpenRead(path);
            hash.AppendData(BitConverter.GetBytes(file.Length));
            const int window = 1 << 20;
            var buffer = new byte[Math.Min(window, file.Length)];
            file.ReadExactly(buffer);
            hash.AppendData(buffer);
            if (file.Length > window)
            {
                file.Seek(-buffer.Length, SeekOrigin.End);
                file.ReadExactly(buffer);
                hash.AppendData(buffer);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
