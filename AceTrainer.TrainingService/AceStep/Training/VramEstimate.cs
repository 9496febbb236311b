using AceTrainer.AceStep.Transformer;

namespace AceTrainer.AceStep.Training;

/// <summary>
/// Peak GPU memory of a LoRA run, by part, before it starts (for the run form). An estimate from the model's shapes
/// and the saved tensors of our forward pass, not a measurement; <see cref="Note"/> says what it assumes.
/// </summary>
public sealed record VramEstimate(
    long TotalBytes,
    long WeightsBytes /*frozen transformer in the run's precision*/,
    long AdapterBytes /*LoRA A and B, float32 master weights*/,
    long OptimizerBytes /*their float32 gradients and AdamW's two float32 moments*/,
    long ActivationsBytes /*tensors kept for backward at the peak, for one clip*/,
    long WorkspaceBytes /*fixed allowance, see Workspace*/,
    string Note)
{
    /// <summary>
    /// CUDA context and kernel images (about 0.5 GiB, outside PyTorch's allocator but on the card), cuBLAS/cuDNN
    /// workspaces and the caching allocator's fragmentation at this model size: together about 1.5 GiB.
    /// </summary>
    public const long Workspace = 1536L << 20;

    // DCAE front end (fixed by the f8c8 checkpoint, not in the transformer's config): audio resampled to 44.1 kHz,
    // mel hop 512, 8× down in time; the trainer pads to 3 s and cuts at 240 s.
    private const double MelSampleRate = 44_100;
    private const int MelHop = 512, DcaeTimeDownsample = 8;
    private const double MinClipSeconds = 3, MaxClipSeconds = 240;

    // Conditioning lengths assumed: a prompt cut at 256 characters gives at most ~128 UMT5 tokens; sung lyrics
    // run at ~5 lyric tokens per second (words, [SPACE] and line tokens), capped at the tokenizer's 4096.
    private const long TextTokens = 128;
    private const double LyricTokensPerSecond = 5;
    private const long MaxLyricTokens = 4096;

    /// <summary>
    /// The estimate for <paramref name="config"/> (precision, LoRA rank and targets, gradient checkpointing) on a
    /// transformer built from <paramref name="model"/>, training on clips of <paramref name="clipSeconds"/>
    /// (clamped to the trainer's 3..240 s).
    /// </summary>
    public static VramEstimate For(TrainingConfig config, AceStepTransformerConfig model, double clipSeconds = 240)
    {
        if (!double.IsFinite(clipSeconds) || clipSeconds <= 0) throw new ArgumentOutOfRangeException(nameof(clipSeconds), clipSeconds, "must be a positive number of seconds");
        var problems = config.Lora.Errors().ToList();
        if (problems.Count > 0) throw new ArgumentException("invalid LoRA settings: " + string.Join("; ", problems), nameof(config));
        var seconds = Math.Clamp(clipSeconds, MinClipSeconds, MaxClipSeconds);
        var element = config.Precision == "bf16" ? 2L : 4L;

        var weights = LoraTargets.BaseParameterCount(model) * element;
        var adapterParameters = LoraTargets.AdapterParameterCount(config.Lora, model);
        var adapter = adapterParameters * 4;
        var optimizer = adapterParameters * 4 * 3;
        var activations = new Activations(config, model, seconds, element).Bytes();
        var total = weights + adapter + optimizer + activations + Workspace;
        var note = $"Estimate, not a measurement: one {seconds:0.#} s clip per micro-batch ({Activations.LatentTokens(seconds, model)} latent tokens, "
            + $"{TextTokens} text and {Activations.LyricTokens(seconds)} lyric tokens), {config.Precision} base weights, float32 adapter and AdamW state, "
            + (config.GradientCheckpointing ? "gradient checkpointing (block inputs kept, one block recomputed)" : "no gradient checkpointing (every block's activations kept)")
            + ", a fused attention kernel (CUDA), cached latents and text states (prepare_on_the_fly also keeps DCAE and UMT5 on the GPU), "
            + "plus 1.5 GiB for the CUDA context, workspaces and allocator fragmentation.";
        return new VramEstimate(total, weights, adapter, optimizer, activations, Workspace, note);
    }

    /// <summary>Tensors autograd keeps for backward, counted from our forward pass (Transformer/*.cs).</summary>
    private sealed class Activations(TrainingConfig config, AceStepTransformerConfig model, double seconds, long element)
    {
        private const long Float32 = 4;
        private readonly long tokens = LatentTokens(seconds, model);
        private readonly long lyrics = LyricTokens(seconds);
        private long Condition => 1 + TextTokens + lyrics;

        public static long LatentTokens(double seconds, AceStepTransformerConfig model)
        {
            var padding = (long)MelHop * DcaeTimeDownsample;
            var samples = (long)Math.Ceiling(seconds * MelSampleRate);
            var frames = (samples + padding - 1) / padding;  // padded to whole latent frames, one per 4096 samples
            return (frames + model.PatchSize[1] - 1) / model.PatchSize[1];
        }

        public static long LyricTokens(double seconds) => Math.Min(MaxLyricTokens, (long)Math.Ceiling(seconds * LyricTokensPerSecond));

        public long Bytes()
        {
            var targeted = LoraTargets.Targeted(config.Lora, model);
            var inBlocks = targeted.Where(l => l.Name.StartsWith("transformer_blocks.", StringComparison.Ordinal)).ToList();
            var perBlockAdapters = inBlocks.Sum(Adapter) / model.NumLayers;
            var outsideAdapters = targeted.Except(inBlocks).Sum(Adapter);
            var lyricEncoder = targeted.Any(l => l.Name.StartsWith("lyric_encoder.", StringComparison.Ordinal)) ? LyricEncoder() : 0;
            // the output head (RMSNorm, modulation, linear) and the loss keep a few latent-wide tensors
            var head = 4L * tokens * model.InnerDim * element;
            var block = Block() + perBlockAdapters;
            // backward also holds the gradients of the block it is in: one more block's worth
            var blocks = config.GradientCheckpointing
                ? model.NumLayers * tokens * model.InnerDim * element + 2 * block
                : (model.NumLayers + 1) * block;
            return blocks + outsideAdapters + lyricEncoder + head;
        }

        /// <summary>One block's saved tensors (LinearTransformerBlock, LinearAttention, CrossAttention, GluMbConv).</summary>
        private long Block()
        {
            long width = model.InnerDim, hidden = (long)(width * model.MlpRatio), heads = model.NumAttentionHeads;
            // per latent token, in the model's dtype: two RMSNorm + modulations (6 wide), self-attention q/k/v,
            // rotated q/k, its output and to_out (7), cross-attention q, rotated q, output, merged, to_out (5),
            // two gates (2); GLUMBConv: 1×1 conv out, SiLU, depthwise out (3 × 2·hidden), gate halves and product (3 × hidden)
            var modelDtype = (20 * width + 9 * hidden) * element;
            // linear attention runs in float32: ReLU'd q and k, masked v, v with the row of ones, the quotient (~6 wide)
            var linearAttention = 6 * width * Float32;
            var latentSide = tokens * (modelDtype + linearAttention + heads * Float32 /*softmax log-sum-exp*/);
            // cross-attention k, v and rotated k over the condition, and the [latent, condition] bias and masks
            var conditionSide = Condition * 3 * width * element + tokens * Condition * (element + 2);
            return latentSide + conditionSide;
        }

        /// <summary>The Conformer lyric encoder's saved tensors (only kept when an adapter sits inside it).</summary>
        private long LyricEncoder()
        {
            long width = model.LyricEncoderOutputSize, units = model.LyricEncoderLinearUnits, heads = model.LyricEncoderAttentionHeads;
            // per token: norms, q/k/v, biased q twice, attended, to-out (~10 wide); feed-forward in, SiLU, dropout (3 × units)
            var perToken = (10 * width + 3 * units) * element;
            // softmax output and the masked weights over every key ([heads, L, L] each), plus relative positions (2L-1 rows)
            var scores = 2 * heads * lyrics * lyrics * element + (2 * lyrics - 1) * width * element;
            return model.LyricEncoderNumBlocks * (lyrics * perToken + scores);
        }

        /// <summary>A LoRA branch keeps A·x (rank wide) per token, the dropped input and its mask with dropout, and A and B cast to the model's dtype.</summary>
        private long Adapter(LinearLayer layer)
        {
            var seen = TokensSeenBy(layer.Name);
            var low = seen * config.Lora.Rank * element;
            var dropout = config.Lora.Dropout > 0 ? seen * layer.InFeatures * (element + 1) : 0;
            var casts = element == Float32 ? 0 : config.Lora.Rank * (layer.InFeatures + layer.OutFeatures) * element;
            return low + dropout + casts;
        }

        private long TokensSeenBy(string name)
        {
            if (name.EndsWith(".cross_attn.to_k", StringComparison.Ordinal) || name.EndsWith(".cross_attn.to_v", StringComparison.Ordinal)) return Condition;
            if (name.StartsWith("transformer_blocks.", StringComparison.Ordinal) || name.StartsWith("final_layer.", StringComparison.Ordinal)) return tokens;
            if (name.StartsWith("lyric_", StringComparison.Ordinal)) return lyrics;
            if (name.StartsWith("genre_embedder", StringComparison.Ordinal)) return TextTokens;
            return 1; // speaker_embedder, timestep_embedder, t_block: one vector per sample
        }
    }
}
