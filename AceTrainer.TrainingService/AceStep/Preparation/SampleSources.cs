namespace AceTrainer.AceStep.Preparation;

/// <summary>What the trainer draws micro-batches from: prepared once (the cache) or computed at every step.</summary>
public interface ISampleSource
{
    int Count { get; }

    /// <summary>Sample <paramref name="index"/> for micro-batch <paramref name="microBatch"/>.</summary>
    PreparedSample Get(int index, long microBatch);

    /// <summary>True when <see cref="Get"/> returns a fresh sample the caller must dispose.</summary>
    bool CallerDisposes { get; }
}

/// <summary>Prepared samples held in memory for the whole run (owned by whoever made the list).</summary>
public sealed class CachedSamples(IReadOnlyList<PreparedSample> samples) : ISampleSource
{
    public int Count => samples.Count;

    public PreparedSample Get(int index, long microBatch) => samples[index];

    public bool CallerDisposes => false;
}

/// <summary>
/// Runs the DCAE and the text encoder for every micro-batch (no cache), with a freshly shuffled prompt each time as
/// upstream does: more compute per step, no storage, and every step sees a new tag order.
/// </summary>
public sealed class OnTheFlySamples(SamplePreparer preparer, IReadOnlyList<TrainingSample> samples, long seed) : ISampleSource
{
    public int Count => samples.Count;

    public PreparedSample Get(int index, long microBatch)
    {
        var sample = samples[index];
        var prompt = preparer.Prompt(sample, new Random(Training.StepSeed.Mix(seed, microBatch, salt: 4)));
        return preparer.Prepare(sample, "on-the-fly", [prompt])
            ?? throw new InvalidDataException($"{sample.AudioPath} became more than 95% silence during the run");
    }

    public bool CallerDisposes => true;
}
