using AceTrainer.AceStep.Training;

namespace AceTrainer.AceStep.Tests.Training;

public class TrainingPlanTests
{
    [Fact]
    public void Steps_are_optimizer_steps_under_accumulation()
    {
        // The old tool's guide: 5 songs x 1000 epochs = 5000 steps without accumulation.
        var plain = TrainingPlan.For(new TrainingConfig { MaxSteps = 0, Epochs = 1000 }, samples: 5);
        Assert.Equal(5000, plain.TotalSteps);
        Assert.Equal(1000, plain.TotalEpochs, 6);

        var accumulated = TrainingPlan.For(new TrainingConfig { MaxSteps = 0, Epochs = 10, AccumulationSteps = 4, RepeatCount = 2 }, samples: 5);
        Assert.Equal(25, accumulated.TotalSteps); // 10 epochs x 10 micro-batches / 4
        Assert.Equal(2.5, accumulated.StepsPerEpoch, 6);
        Assert.Equal(0, accumulated.EpochOfStep(2)); // micro-batches 8..11 start in epoch 0
        Assert.Equal(1, accumulated.EpochOfStep(3)); // 12..15
        Assert.Equal(9, accumulated.EpochOfStep(24));

        var bySteps = TrainingPlan.For(new TrainingConfig { MaxSteps = 7, Epochs = 100, AccumulationSteps = 2 }, samples: 3);
        Assert.Equal(7, bySteps.TotalSteps);
    }

    [Fact]
    public void Sample_order_is_a_seeded_shuffle_per_epoch_covering_every_repeat()
    {
        var plan = new TrainingPlan(Samples: 4, RepeatCount: 3, AccumulationSteps: 1, TotalSteps: 100);
        var order = new SampleOrder(plan, seed: 11);
        var epoch0 = Enumerable.Range(0, 12).Select(m => order.SampleAt(m)).ToList();
        var epoch1 = Enumerable.Range(12, 12).Select(m => order.SampleAt(m)).ToList();
        Assert.All(Enumerable.Range(0, 4), s => Assert.Equal(3, epoch0.Count(x => x == s)));
        Assert.NotEqual(epoch0, epoch1);
        // a fresh instance (a resumed run) jumping straight into epoch 1 sees the same order
        var resumed = new SampleOrder(plan, seed: 11);
        Assert.Equal(epoch1, Enumerable.Range(12, 12).Select(m => resumed.SampleAt(m)));
        Assert.NotEqual(epoch0, Enumerable.Range(0, 12).Select(m => new SampleOrder(plan, seed: 12).SampleAt(m)));
    }
}
