using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Transformer;

#pragma warning disable IDE1006 // field names equal checkpoint keys

/// <summary>One training/inference call's inputs (shapes for batch B, latent frames T, text tokens S, lyric tokens L).</summary>
public sealed record TransformerInputs(
    Tensor Latents /*[B,8,16,T]*/,
    Tensor AttentionMask /*[B,T] float 0/1*/,
    Tensor TextHiddenStates /*[B,S,text_dim]*/,
    Tensor TextMask /*[B,S] float*/,
    Tensor SpeakerEmbeds /*[B,speaker_dim]*/,
    Tensor LyricTokens /*[B,L] int64*/,
    Tensor LyricMask /*[B,L] float*/,
    Tensor Timestep /*[B] float in [0,1000]*/);

/// <summary>
/// ACE-Step v1's ACEStepTransformer2DModel: a Sana-style linear-attention DiT over DCAE latents
/// ([B, 8, 16, T], one token per latent frame) conditioned by cross-attention on
/// speaker ++ UMT5 text ++ Conformer-encoded lyrics. Parameter names equal the official state dict.
/// </summary>
public sealed partial class AceStepTransformer : Module
{
    public AceStepTransformer(AceStepTransformerConfig config)
    {
        config.Validate();
        Config = config;
        long dim = config.InnerDim;
        var patch = ((long)config.PatchSize[0], (long)config.PatchSize[1]);

        transformer_blocks = RegisterModule(nameof(transformer_blocks), new ModuleList<LinearTransformerBlock>(
            Enumerable.Range(0, config.NumLayers).Select(_ => new LinearTransformerBlock(
                dim, config.NumAttentionHeads, config.AttentionHeadDim, config.MlpRatio, dim))));
        timestep_embedder = RegisterModule(nameof(timestep_embedder), new TimestepEmbedding(TimestepChannels, dim));
        t_block = RegisterModule(nameof(t_block), new Sequential(new Silu(), new Linear(dim, 6 * dim)));
        speaker_embedder = RegisterModule(nameof(speaker_embedder), new Linear(config.SpeakerEmbeddingDim, dim));
        genre_embedder = RegisterModule(nameof(genre_embedder), new Linear(config.TextEmbeddingDim, dim));
        lyric_embs = RegisterModule(nameof(lyric_embs), new Embedding(config.LyricEncoderVocabSize, config.LyricHiddenSize));
        lyric_encoder = RegisterModule(nameof(lyric_encoder), new LyricConformerEncoder(config));
        lyric_proj = RegisterModule(nameof(lyric_proj), new Linear(config.LyricHiddenSize, dim));
        projectors = RegisterModule(nameof(projectors), new ModuleList<Sequential>(config.SslLatentDims.Select(sslDim => new Sequential(
            new Linear(dim, 2 * dim), new Silu(), new Linear(2 * dim, 2 * dim), new Silu(), new Linear(2 * dim, sslDim)))));
        proj_in = RegisterModule(nameof(proj_in), new PatchEmbed(config.InChannels, dim, patch));
        final_layer = RegisterModule(nameof(final_layer), new FinalLayer(dim, patch, config.OutChannels));
    }

    /// <summary>Width of the sinusoidal timestep features (fixed upstream).</summary>
    public const int TimestepChannels = 256;

    public AceStepTransformerConfig Config { get; }

    /// <summary>In training mode each block runs under <see cref="Checkpoint"/> (activations recomputed in backward).</summary>
    public bool GradientCheckpointing { get; set; }

    public readonly ModuleList<LinearTransformerBlock> transformer_blocks;
    public readonly TimestepEmbedding timestep_embedder;
    public readonly Sequential t_block;
    public readonly Linear speaker_embedder, genre_embedder, lyric_proj;
    public readonly Embedding lyric_embs;
    public readonly LyricConformerEncoder lyric_encoder;
    /// <summary>SSL (MERT, mHuBERT) projection heads used by upstream's REPA losses after block ssl_encoder_depths[i]; kept for the state dict.</summary>
    public readonly ModuleList<Sequential> projectors;
    public readonly PatchEmbed proj_in;
    public readonly FinalLayer final_layer;

    /// <summary>
    /// The cross-attention sequence: speaker token ++ genre_embedder(text) ++ lyric_proj(lyric encoder),
    /// and its float mask ([B, 1 + S + L]).
    /// </summary>
    public (Tensor States, Tensor Mask) Encode(Tensor textHiddenStates, Tensor textMask, Tensor speakerEmbeds, Tensor lyricTokens, Tensor lyricMask)
    {
        using var scope = new DisposeScope();
        var batch = textHiddenStates.Size(0);
        var speaker = speaker_embedder.Forward(speakerEmbeds).Unsqueeze(1);
        var text = genre_embedder.Forward(textHiddenStates);
        var lyrics = lyric_proj.Forward(lyric_encoder.Forward(lyric_embs.Forward(lyricTokens), lyricMask));
        var states = Tensor.Cat([speaker, text, lyrics], 1);
        var speakerMask = Tensor.Ones([batch, 1], DType.Float32, textHiddenStates.Device);
        var mask = Tensor.Cat([speakerMask, textMask.To(DType.Float32), lyricMask.To(DType.Float32)], 1);
        return (states.MoveToOuterScope(), mask.MoveToOuterScope());
    }

    /// <summary>Predicted flow velocity [B, out, 16, T] for latents [B, in, 16, T] at timesteps [B] (0..1000).</summary>
    public Tensor Decode(Tensor latents, Tensor attentionMask, Tensor encoderStates, Tensor encoderMask, Tensor timestep)
    {
        using var scope = new DisposeScope();
        var width = latents.Size(-1);
        var embeddedTimestep = timestep_embedder.Forward(TimestepEmbedding.Sinusoidal(timestep, TimestepChannels).To(latents.DType));
        var temb = t_block.Forward(embeddedTimestep);
        var hidden = proj_in.Forward(latents);

        using var rope = RotaryTables.Create(hidden.Size(1), Config.AttentionHeadDim, Config.RopeTheta, hidden.Device, hidden.DType);
        using var conditionRope = RotaryTables.Create(encoderStates.Size(1), Config.AttentionHeadDim, Config.RopeTheta, encoderStates.Device, encoderStates.DType);
        foreach (var block in transformer_blocks)
        {
            if (Training && GradientCheckpointing)
            {
                var current = block;
                hidden = Checkpoint.Run(
                    inputs => [current.Forward(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4],
                        new RotaryTables(inputs[5], inputs[6]), new RotaryTables(inputs[7], inputs[8]))],
                    hidden, attentionMask, encoderStates, encoderMask, temb, rope.Cos, rope.Sin, conditionRope.Cos, conditionRope.Sin)[0];
            }
            else
            {
                hidden = block.Forward(hidden, attentionMask, encoderStates, encoderMask, temb, rope, conditionRope);
            }
        }
        return final_layer.Forward(hidden, embeddedTimestep, width).MoveToOuterScope();
    }

    /// <summary>Encode then decode: the predicted flow velocity, same shape as <see cref="TransformerInputs.Latents"/>.</summary>
    public Tensor Forward(TransformerInputs inputs)
    {
        using var scope = new DisposeScope();
        var (states, mask) = Encode(inputs.TextHiddenStates, inputs.TextMask, inputs.SpeakerEmbeds, inputs.LyricTokens, inputs.LyricMask);
        return Decode(inputs.Latents, inputs.AttentionMask, states, mask, inputs.Timestep).MoveToOuterScope();
    }
}
