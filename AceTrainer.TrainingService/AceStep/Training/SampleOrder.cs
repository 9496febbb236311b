namespace AceTrainer.AceStep.Training;

/// <summary>
/// Which sample each micro-batch trains on: every epoch is a fresh seeded shuffle of the repeated sample list, a
/// pure function of (seed, micro-batch index), so a resumed run sees exactly the order an uninterrupted one would.
/// </summary>
public sealed class SampleOrder(TrainingPlan plan, long seed)
{
    private long cachedEpoch = -1;
    private int[] permutation = [];

    public int SampleAt(long microBatch)
    {
        var epoch = plan.EpochOfMicroBatch(microBatch);
        if (epoch != cachedEpoch)
        {
            permutation = Shuffle(epoch);
            cachedEpoch = epoch;
        }
        return permutation[microBatch % plan.MicroBatchesPerEpoch];
    }

    private int[] Shuffle(long epoch)
    {
        var order = Enumerable.Range(0, (int)plan.MicroBatchesPerEpoch).Select(k => k % plan.Samples).ToArray();
        new Random(StepSeed.Mix(seed, epoch, salt: 1)).Shuffle(order);
        return order;
    }
}

/// <summary>Derives independent, reproducible seeds from the run seed (splitmix64 finaliser).</summary>
public static class StepSeed
{
    public static int Mix(long seed, long index, int salt) => (int)(Mix64(seed, index, salt) & 0x7fffffff);

    public static ulong Mix64(long seed, long index, int salt)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)index * 0xBF58476D1CE4E5B9UL + (ulong)salt * 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
