using AceTrainer.AceStep.Training;
using AceTrainer.Engine;

namespace AceTrainer.AceStep.Tests.Training;

public class FlowMatchingTests
{
    [Fact]
    public void Sigmas_follow_the_shifted_schedule()
    {
        var flow = new FlowMatching(shift: 3.0);
        Assert.Equal(1.0, flow.Sigma(0), 12);
        Assert.Equal(3 * 0.001 / (1 + 2 * 0.001), flow.Sigma(999), 12);
        Assert.Equal(3 * 0.5 / (1 + 2 * 0.5), flow.Sigma(500), 12);
        for (var i = 1; i < 1000; i++) Assert.True(flow.Sigma(i) < flow.Sigma(i - 1), "sigma falls along the schedule");
        Assert.Equal(0.5, new FlowMatching(shift: 1.0).Sigma(500), 12);
    }

    [Fact]
    public void Logit_normal_indices_are_seeded_bounded_and_centred()
    {
        var flow = new FlowMatching();
        Torch.ManualSeed(5);
        var first = flow.SampleIndices(4000);
        Torch.ManualSeed(5);
        Assert.Equal(first, flow.SampleIndices(4000));
        Assert.All(first, i => Assert.InRange(i, 0, 999));
        Assert.InRange(first.Average(), 470, 530);
        // sigmoid of N(0,1) puts about 68 % of the mass between sigmoid(-1) and sigmoid(1)
        var inside = first.Count(i => i >= 268 && i < 731) / 4000.0;
        Assert.InRange(inside, 0.64, 0.72);
        Torch.ManualSeed(5);
        Assert.True(flow.SampleIndices(4000, logitMean: 2).Average() > 800, "the mean shifts the indices");
    }

    [Fact]
    public void Loss_is_sigma_squared_times_the_velocity_error_and_respects_the_mask()
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed(6);
        var x0 = Tensor.Randn([2, 8, 16, 10]);
        var noise = Tensor.Randn([2, 8, 16, 10]);
        var velocity = Tensor.Randn([2, 8, 16, 10]);
        var sigma = Tensor.From(new[] { 0.3f, 0.8f }, 2, 1, 1, 1);
        var noisy = FlowMatching.Noisy(x0, noise, sigma);
        var ones = Tensor.Ones([2, 10]);

        var loss = FlowMatching.Loss(velocity, noisy, sigma, x0, ones).Item();

        // x0_pred - x0 = sigma * ((noise - x0) - v)
        var error = (velocity - (noise - x0)).Square().Mean([1, 2, 3]).ToArray<float>();
        var expected = (0.3 * 0.3 * error[0] + 0.8 * 0.8 * error[1]) / 2;
        Assert.Equal(expected, loss, 4);

        var half = Tensor.Cat([Tensor.Ones([2, 5]), Tensor.Zeros([2, 5])], 1);
        var masked = FlowMatching.Loss(velocity, noisy, sigma, x0, half).Item();
        var firstHalf = (velocity - (noise - x0)).Narrow(3, 0, 5).Square().Mean([1, 2, 3]).ToArray<float>();
        // upstream: mean over all elements of the masked error, times the kept fraction (0.5)
        var expectedMasked = (0.09 * firstHalf[0] * 0.5 * 0.5 + 0.64 * firstHalf[1] * 0.5 * 0.5) / 2;
        Assert.Equal(expectedMasked, masked, 4);
    }
}
