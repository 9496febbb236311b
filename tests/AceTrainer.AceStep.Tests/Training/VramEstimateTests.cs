using AceTrainer.AceStep.Training;
using AceTrainer.AceStep.Transformer;
using Xunit.Abstractions;

namespace AceTrainer.AceStep.Tests.Training;

public class VramEstimateTests(ITestOutputHelper output)
{
    private const double GiB = 1 << 30;
    private static readonly AceStepTransformerConfig Full = AceStepTransformerConfig.AceStepV1();
    private static readonly TrainingConfig Bf16 = new() { Precision = "bf16", GradientCheckpointing = true };

    private static TrainingConfig WithRank(TrainingConfig config, int rank) => config with { Lora = config.Lora with { Rank = rank } };

    [Fact]
    public void Parts_add_up_and_follow_the_adapter_size()
    {
        var estimate = VramEstimate.For(WithRank(Bf16, 16), Full);
        var parameters = LoraTargets.AdapterParameterCount(WithRank(Bf16, 16).Lora, Full);
        Assert.Equal(parameters * 4, estimate.AdapterBytes);
        Assert.Equal(parameters * 12, estimate.OptimizerBytes);
        Assert.Equal(LoraTargets.BaseParameterCount(Full) * 2, estimate.WeightsBytes);
        Assert.Equal(estimate.WeightsBytes + estimate.AdapterBytes + estimate.OptimizerBytes + estimate.ActivationsBytes + estimate.WorkspaceBytes, estimate.TotalBytes);
        Assert.Contains("estimate", estimate.Note, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("240 s", estimate.Note);
    }

    [Fact]
    public void Grows_with_rank_clip_length_and_precision_and_shrinks_with_checkpointing()
    {
        foreach (var model in new[] { Full, AceStepTransformerConfig.Tiny() })
        foreach (var checkpointing in new[] { true, false })
        foreach (var dropout in new[] { 0.0, 0.1 })
        {
            var config = Bf16 with { GradientCheckpointing = checkpointing, Lora = Bf16.Lora with { Dropout = dropout } };
            var byRank = new[] { 4, 16, 64, 256 }.Select(r => VramEstimate.For(WithRank(config, r), model).TotalBytes).ToList();
            Assert.Equal(byRank.Order(), byRank);
            Assert.Equal(byRank.Count, byRank.Distinct().Count());
            var byLength = new[] { 3.0, 10, 60, 120, 240 }.Select(s => VramEstimate.For(config, model, s).TotalBytes).ToList();
            Assert.Equal(byLength.Order(), byLength);
            Assert.Equal(byLength.Count, byLength.Distinct().Count());
            Assert.True(VramEstimate.For(config with { Precision = "fp32" }, model).TotalBytes > VramEstimate.For(config, model).TotalBytes);
        }
        foreach (var precision in new[] { "bf16", "fp32" })
        {
            var config = Bf16 with { Precision = precision };
            Assert.True(VramEstimate.For(config, Full).ActivationsBytes < VramEstimate.For(config with { GradientCheckpointing = false }, Full).ActivationsBytes);
        }
        // the trainer cuts clips at 240 s and pads them to 3 s
        Assert.Equal(VramEstimate.For(Bf16, Full, 240).TotalBytes, VramEstimate.For(Bf16, Full, 600).TotalBytes);
        Assert.Equal(VramEstimate.For(Bf16, Full, 3).TotalBytes, VramEstimate.For(Bf16, Full, 1).TotalBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => VramEstimate.For(Bf16, Full, double.NaN));
        Assert.Throws<ArgumentException>(() => VramEstimate.For(WithRank(Bf16, 0), Full));
    }

    [Fact]
    public void A_full_size_rank_16_bf16_run_with_checkpointing_fits_a_16_GB_card()
    {
        foreach (var preset in RunPresets.All)
        foreach (var seconds in new[] { 60.0, 240 })
        foreach (var checkpointing in new[] { true, false })
        {
            var e = VramEstimate.For(preset.Config with { GradientCheckpointing = checkpointing }, Full, seconds);
            output.WriteLine($"{preset.Name,-12} r{preset.Config.Lora.Rank,-3} {preset.Config.Precision} {seconds,3} s checkpointing={checkpointing,-5}: "
                + $"total {e.TotalBytes / GiB:F2} GiB = weights {e.WeightsBytes / GiB:F2} + adapter {e.AdapterBytes / GiB:F2} + optimizer {e.OptimizerBytes / GiB:F2} "
                + $"+ activations {e.ActivationsBytes / GiB:F2} + workspace {e.WorkspaceBytes / GiB:F2}");
        }
        var r16 = VramEstimate.For(RunPresets.Conservative.Config, Full);
        output.WriteLine(r16.Note);
        // the issue: a full ACE-Step LoRA fits in about 14 GB with checkpointing
        Assert.InRange(r16.TotalBytes / GiB, 8, 14);
    }
}
