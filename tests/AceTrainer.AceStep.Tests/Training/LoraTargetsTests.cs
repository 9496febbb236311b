using AceTrainer.AceStep.Training;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.Lora;
using Xunit.Abstractions;

namespace AceTrainer.AceStep.Tests.Training;

public class LoraTargetsTests(ITestOutputHelper output)
{
    private static readonly LoraSettings Upstream = TrainingConfig.UpstreamLora with { Rank = 4, Alpha = 4 };

    [Fact]
    public void Suffixes_are_the_used_linear_layers_of_the_module_tree()
    {
        output.WriteLine(string.Join(", ", LoraTargets.Suffixes));
        Assert.Equal(
        [
            "genre_embedder", "linear", "linear_1", "linear_2", "linear_k", "linear_out", "linear_pos", "linear_q", "linear_v",
            "lyric_proj", "out.0", "speaker_embedder", "t_block.1", "to_k", "to_out.0", "to_q", "to_v", "w_1", "w_2",
        ], LoraTargets.Suffixes);
        Assert.All(TrainingConfig.UpstreamLora.TargetModules, target => Assert.Contains(target, LoraTargets.Suffixes));
    }

    [Theory]
    [InlineData("to_q", true)]
    [InlineData("attn.to_q", true)]
    [InlineData("cross_attn.to_out.0", true)]
    [InlineData("transformer_blocks.23.attn.to_v", true)] // the official model has 24 blocks
    [InlineData("lyric_encoder.encoders.5.self_attn.linear_q", true)]
    [InlineData("transformer_blocks.24.attn.to_v", false)]
    [InlineData("to_out", false)] // a ModuleList, not a Linear
    [InlineData("0", false)] // also matches Sequential containers
    [InlineData("ff.inverted_conv.conv", false)] // Conv1d: LoRA wraps Linear layers only
    [InlineData("attn", false)]
    [InlineData("add_q_proj", false)] // never called by upstream's attention processor
    [InlineData("to_add_out", false)]
    [InlineData("projectors.0.0", false)] // REPA heads feed only the SSL losses
    [InlineData("_q", false)] // suffixes end at a dot, not inside a name
    [InlineData("", false)]
    [InlineData("to_nothing", false)]
    public void A_target_is_known_when_it_names_only_used_linear_layers(string target, bool known) =>
        Assert.Equal(known, LoraTargets.IsKnown(target));

    [Fact]
    public void Every_suffix_attaches_to_the_tiny_model_and_the_count_equals_what_attach_creates()
    {
        LoraSettings[] cases =
        [
            Upstream,
            Upstream with { Rank = 7, TargetModules = LoraTargets.Suffixes },
            Upstream with { Rank = 3, TargetModules = ["attn.to_q", "cross_attn.to_k", "linear_pos", "transformer_blocks.1.attn.to_out.0"] },
        ];
        var tiny = AceStepTransformerConfig.Tiny();
        foreach (var settings in cases)
        {
            Torch.ManualSeed(1);
            using var model = new AceStepTransformer(tiny);
            var adapted = LoraNetwork.Attach(model, settings);
            var created = LoraNetwork.Parameters(model).Sum(p => p.Parameter.Numel);
            Assert.Equal(created, LoraTargets.AdapterParameterCount(settings, tiny));
            Assert.Equal(adapted, LoraTargets.Targeted(settings, tiny).Select(l => l.Name));
        }
    }

    [Fact]
    public void The_upstream_adapter_of_the_official_model_has_the_known_size()
    {
        // 24 blocks × 8 projections 2560→2560, 6 lyric layers × q/k/v 1024→1024, speaker 512→2560
        var full = AceStepTransformerConfig.AceStepV1();
        var expected = 256L * (24 * 8 * (2560 + 2560) + 6 * 3 * (1024 + 1024) + (512 + 2560));
        Assert.Equal(expected, LoraTargets.AdapterParameterCount(TrainingConfig.UpstreamLora, full));
        Assert.Equal(3_305_659_264L, LoraTargets.BaseParameterCount(full));
    }
}
