using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Audio;

/// <summary>
/// The encoder of diffusers' <c>AutoencoderDC</c> (<c>Encoder</c>): conv_in, one <c>down_blocks.i</c> sequence per stage
/// (blocks, then a downsampling block except after the last stage), conv_out plus the channel-averaging shortcut.
/// For f8c8: [B, 2, 128, T] normalised mel → [B, 8, 16, T/8] (unscaled latents). Parameter names equal the
/// checkpoint's <c>encoder.*</c> keys without the prefix.
/// </summary>
public sealed class DcaeEncoder : Module<Tensor, Tensor>
{
    private readonly long shortcutGroup;

    public DcaeEncoder(DcaeConfig? config = null)
    {
        Config = config ?? new DcaeConfig();
        Config.Validate();
        var widths = Config.EncoderBlockOutChannels;
        var layers = Config.EncoderLayersPerBlock;
        var unshuffle = Config.DownsampleBlockType == "pixel_unshuffle";
        var firstWidth = layers[0] > 0 ? widths[0] : widths[1];
        conv_in = RegisterModule<Module<Tensor, Tensor>>(nameof(conv_in), layers[0] > 0
            ? new Conv2d(Config.InChannels, firstWidth, 3, padding: 1)
            : new DcaeDownBlock(Config.InChannels, firstWidth, unshuffle, shortcut: false));
        var stages = new List<Sequential>();
        for (var i = 0; i < widths.Count; i++)
        {
            var stage = new List<Module<Tensor, Tensor>>();
            for (var k = 0; k < layers[i]; k++)
            {
                stage.Add(Config.EncoderBlockTypes[i] == "ResBlock"
                    ? new DcaeResBlock(widths[i])
                    : new EfficientViTBlock(widths[i], Config.AttentionHeadDim, Config.EncoderQkvMultiscales[i]));
            }
            if (i < widths.Count - 1 && layers[i] > 0) stage.Add(new DcaeDownBlock(widths[i], widths[i + 1], unshuffle, shortcut: true));
            stages.Add(new Sequential([.. stage]));
        }
        down_blocks = RegisterModule(nameof(down_blocks), new ModuleList<Sequential>(stages));
        conv_out = RegisterModule(nameof(conv_out), new Conv2d(widths[^1], Config.LatentChannels, 3, padding: 1));
        shortcutGroup = widths[^1] / Config.LatentChannels;
    }

    public DcaeConfig Config { get; }

#pragma warning disable IDE1006
    public readonly Module<Tensor, Tensor> conv_in;
    public readonly ModuleList<Sequential> down_blocks;
    public readonly Conv2d conv_out;
#pragma warning restore IDE1006

    /// <summary>An encoder of the tiny configuration (<see cref="DcaeConfig.Tiny"/>) with random weights.</summary>
    public static DcaeEncoder Tiny() => new(DcaeConfig.Tiny());

    public override Tensor Forward(Tensor input)
    {
        var factor = Config.DownsamplingFactor;
        if (input.Dim != 4 || input.Size(1) != Config.InChannels || input.Size(2) % factor != 0 || input.Size(3) % factor != 0)
            throw new ArgumentException($"the DCAE encoder takes [B, {Config.InChannels}, H, W] with H and W multiples of {factor}; got [{string.Join(", ", input.Shape)}]");
        using var scope = new DisposeScope();
        var x = conv_in.Forward(input);
        foreach (var stage in down_blocks) x = stage.Forward(x);
        var output = conv_out.Forward(x);
        if (Config.EncoderOutShortcut) output += DcaeDownBlock.GroupMean(x, shortcutGroup);
        return scope.MoveOut(output);
    }
}
