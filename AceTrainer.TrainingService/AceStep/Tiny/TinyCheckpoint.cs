using System.Text.Json;
using AceTrainer.AceStep.Audio;
using AceTrainer.AceStep.Text;
using AceTrainer.AceStep.Transformer;
using AceTrainer.Engine;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Tiny;

/// <summary>
/// A complete ACE-Step checkpoint folder in the official layout with tiny random models of the same architecture
/// (transformer, DCAE encoder, UMT5 encoder and its SentencePiece model, vocoder mel settings); the transformer is
/// pretrained briefly as a denoiser (<see cref="TinyPretraining"/>) so that LoRA on it behaves as on the real base. Tests and the local
/// demo train on it through exactly the code paths that load the real checkpoint. Seeded, so the same seed gives
/// the same weights on every machine.
/// </summary>
public static class TinyCheckpoint
{
    /// <summary>Bump when the tiny models change, so stale generated folders are rebuilt.</summary>
    public const int Version = 2;

    private const string MarkerFile = "tiny_checkpoint.json";

    /// <summary>Creates the folder unless an identical one (same version and seed) is already there; returns it.</summary>
    public static string EnsureCreated(string folder, long seed = 0)
    {
        var marker = Path.Combine(folder, MarkerFile);
        if (File.Exists(marker) && File.ReadAllText(marker) == MarkerJson(seed)) return folder;
        var partial = folder.TrimEnd(Path.DirectorySeparatorChar) + $".partial-{Environment.ProcessId}";
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Write(partial, seed);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.Move(partial, folder);
        return folder;
    }

    private static void Write(string root, long seed)
    {
        using var scope = new DisposeScope();
        Torch.ManualSeed((ulong)seed);

        var dcaeFolder = Directory.CreateDirectory(Path.Combine(root, MusicDcae.DcaeFolder)).FullName;
        var dcae = DcaeConfig.Tiny();
        File.WriteAllText(Path.Combine(dcaeFolder, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["_class_name"] = "AutoencoderDC",
            ["in_channels"] = dcae.InChannels,
            ["latent_channels"] = dcae.LatentChannels,
            ["attention_head_dim"] = dcae.AttentionHeadDim,
            ["encoder_block_types"] = dcae.EncoderBlockTypes,
            ["encoder_block_out_channels"] = dcae.EncoderBlockOutChannels,
            ["encoder_layers_per_block"] = dcae.EncoderLayersPerBlock,
            ["encoder_qkv_multiscales"] = dcae.EncoderQkvMultiscales,
            ["downsample_block_type"] = dcae.DownsampleBlockType,
            ["scaling_factor"] = dcae.ScalingFactor,
        }));
        using (var encoder = new DcaeEncoder(dcae))
        {
            SafeTensorsWriter.Save(Path.Combine(dcaeFolder, MusicDcae.WeightsFile),
                encoder.StateDict().Select(p => KeyValuePair.Create("encoder." + p.Key, p.Value)), new Dictionary<string, string> { ["format"] = "pt" });
        }

        var vocoderFolder = Directory.CreateDirectory(Path.Combine(root, MusicDcae.VocoderFolder)).FullName;
        var mel = new MelSettings();
        File.WriteAllText(Path.Combine(vocoderFolder, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["sampling_rate"] = mel.SampleRate, ["n_fft"] = mel.NFft, ["win_length"] = mel.WinLength, ["hop_length"] = mel.HopLength,
            ["n_mels"] = mel.NMels, ["f_min"] = mel.FMin, ["f_max"] = mel.FMax,
        }));

        var textFolder = Directory.CreateDirectory(Path.Combine(root, TextConditioning.TextEncoderFolder)).FullName;
        TinySentencePiece.Write(Path.Combine(textFolder, Umt5Tokenizer.ModelFileName));
        var umt5 = Umt5Config.Tiny() with { VocabSize = TinySentencePiece.PieceCount };
        umt5.Save(Path.Combine(textFolder, "config.json"));
        using (var text = new Umt5Encoder(umt5))
            SafeTensorsWriter.Save(Path.Combine(textFolder, "model.safetensors"), text.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });

        using (var transformer = new AceStepTransformer(AceStepTransformerConfig.Tiny()))
        using (var dcaeModel = MusicDcae.FromPretrained(root))
        {
            TinyPretraining.Run(transformer, dcaeModel, seed: seed);
            transformer.SavePretrained(Path.Combine(root, AceStepTransformer.SubFolder));
        }

        File.WriteAllText(Path.Combine(root, MarkerFile), MarkerJson(seed));
    }

    private static string MarkerJson(long seed) => JsonSerializer.Serialize(new { version = Version, seed });
}
