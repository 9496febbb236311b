using AceTrainer.Engine;
using AceTrainer.Engine.Modules;
using AceTrainer.Engine.SafeTensors;

namespace AceTrainer.AceStep.Text;

/// <summary>
/// HF <c>UMT5EncoderModel</c> for inference (the text encoder is frozen, so there is no dropout): token embedding
/// <c>shared</c>, then per block pre-norm self-attention with that block's own relative position bias (UMT5, unlike
/// T5, has one per layer) and unscaled scores, pre-norm gated-GELU (tanh) feed-forward, and a final T5 RMS norm.
/// Parameter names are the checkpoint's (<c>encoder.block.0.layer.0.SelfAttention.q.weight</c> ...).
/// </summary>
public sealed class Umt5Encoder : Module
{
    public Umt5Encoder(Umt5Config config)
    {
        config.Validate();
        Config = config;
        shared = RegisterModule(nameof(shared), new Embedding(config.VocabSize, config.DModel));
        encoder = RegisterModule(nameof(encoder), new Umt5Stack(config));
    }

    public Umt5Config Config { get; }

#pragma warning disable IDE1006
    public readonly Embedding shared;
    public readonly Umt5Stack encoder;
#pragma warning restore IDE1006

    /// <summary>Random tiny encoder (<see cref="Umt5Config.Tiny"/>) for tests and CPU demos.</summary>
    public static Umt5Encoder Tiny() => new(Umt5Config.Tiny());

    /// <summary>last_hidden_state [B, S, d_model] for input ids [B, S] (int64) and attention mask [B, S] (1 = token).</summary>
    public Tensor Forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = new DisposeScope();
        var hidden = shared.Forward(inputIds);
        // HF adds (1 - mask) * finfo(dtype).min to every head's position bias.
        var dtype = hidden.DType;
        var mask = attentionMask.To(hidden.Device, dtype);
        var additiveMask = ((1.0 - mask) * MinValue(dtype)).Unsqueeze(1).Unsqueeze(1);
        return scope.MoveOut(encoder.Forward(hidden, additiveMask));
    }

    private static double MinValue(DType dtype) => dtype switch
    {
        DType.Float32 => float.MinValue,
        DType.Float64 => double.MinValue,
        DType.Float16 => -65504.0,
        DType.BFloat16 => -3.3895313892515355e38,
        _ => throw new NotSupportedException($"UMT5 encoder in {dtype}"),
    };

    /// <summary>
    /// Loads <c>config.json</c> and <c>model.safetensors</c> from a HF UMT5 folder (the checkpoint's <c>umt5-base</c>).
    /// The tied <c>encoder.embed_tokens.weight</c> stands in for <c>shared.weight</c> when only it is present;
    /// decoder and lm_head tensors of a full UMT5 checkpoint are ignored, as HF's encoder-only class does.
    /// </summary>
    public static Umt5Encoder FromPretrained(string folder, Device? device = null, DType? dtype = null)
    {
        var config = Umt5Config.Load(Path.Combine(folder, "config.json"));
        var weights = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(weights))
        {
            if (File.Exists(Path.Combine(folder, "pytorch_model.bin")))
                throw new NotSupportedException($"{folder} has only pytorch_model.bin; convert it to model.safetensors "
                    + "(e.g. UMT5EncoderModel.from_pretrained(folder).save_pretrained(folder, safe_serialization=True))");
            throw new FileNotFoundException($"UMT5 weights not found: {weights}", weights);
        }

        // allocated once on the target, uninitialised: every tensor is then copied from the file
        Umt5Encoder model;
        using (ModuleInit.On(device ?? Device.Cpu, dtype)) model = new Umt5Encoder(config);
        try
        {
            using var file = SafeTensorsFile.Open(weights);
            var own = model.StateDict();
            var keys = file.Tensors.Keys.ToHashSet(StringComparer.Ordinal);
            var unexpected = keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal) && k != "encoder.embed_tokens.weight" && !own.ContainsKey(k)).ToList();
            var source = own.Keys.ToDictionary(k => k, k => k == "shared.weight" && !keys.Contains(k) ? "encoder.embed_tokens.weight" : k);
            var missing = source.Where(e => !keys.Contains(e.Value)).Select(e => e.Key).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException($"{weights} does not fit {config}; missing: [{string.Join(", ", missing)}], unexpected: [{string.Join(", ", unexpected)}]");
            using var noGrad = Torch.NoGrad();
            foreach (var (key, target) in own)
            {
                using var tensorScope = new DisposeScope();
                var tensor = file.Load(source[key]);
                if (!tensor.Shape.SequenceEqual(target.Shape))
                    throw new InvalidDataException($"{weights}: {source[key]} has shape [{string.Join(",", tensor.Shape)}], expected [{string.Join(",", target.Shape)}]");
                target.Copy_(tensor);
            }
            model.Freeze();
            model.Eval();
            model.To(device, dtype);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}

/// <summary>HF <c>UMT5Stack</c> (encoder): blocks and the final RMS norm.</summary>
public sealed class Umt5Stack : Module
{
    public Umt5Stack(Umt5Config config)
    {
        block = RegisterModule(nameof(block), new ModuleList<Umt5Block>(Enumerable.Range(0, config.NumLayers).Select(_ => new Umt5Block(config))));
        final_layer_norm = RegisterModule(nameof(final_layer_norm), new T5LayerNorm(config.DModel, config.LayerNormEpsilon));
    }

#pragma warning disable IDE1006
    public readonly ModuleList<Umt5Block> block;
    public readonly T5LayerNorm final_layer_norm;
#pragma warning restore IDE1006

    public Tensor Forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = new DisposeScope();
        foreach (var b in block) hidden = b.Forward(hidden, additiveMask);
        return scope.MoveOut(final_layer_norm.Forward(hidden));
    }
}

/// <summary>One encoder block: <c>layer.0</c> self-attention, <c>layer.1</c> feed-forward.</summary>
public sealed class Umt5Block : Module
{
    private readonly Umt5LayerSelfAttention attention;
    private readonly Umt5LayerFF feedForward;

    public Umt5Block(Umt5Config config)
    {
        attention = new Umt5LayerSelfAttention(config);
        feedForward = new Umt5LayerFF(config);
        layer = RegisterModule(nameof(layer), new ModuleList<Module>([attention, feedForward]));
    }

#pragma warning disable IDE1006
    public readonly ModuleList<Module> layer;
#pragma warning restore IDE1006

    public Tensor Forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = new DisposeScope();
        hidden = ClampHalf(attention.Forward(hidden, additiveMask));
        return scope.MoveOut(ClampHalf(feedForward.Forward(hidden)));
    }

    // HF keeps float16 activations finite: clamp to max (max - 1000 once an inf appeared).
    private static Tensor ClampHalf(Tensor hidden)
    {
        if (hidden.DType != DType.Float16) return hidden;
        using var infinite = Op("aten::isinf").Invoke(hidden);
        using var any = Op("aten::any").Invoke(infinite);
        var limit = any.Item() != 0 ? 65504.0 - 1000 : 65504.0;
        return hidden.Clamp(-limit, limit);
    }

    private static Engine.Dispatch.Op Op(string name) => Engine.Dispatch.Op.Get(name);
}

/// <summary><c>layer.0</c>: h + SelfAttention(layer_norm(h)).</summary>
public sealed class Umt5LayerSelfAttention : Module
{
    public Umt5LayerSelfAttention(Umt5Config config)
    {
        SelfAttention = RegisterModule(nameof(SelfAttention), new Umt5Attention(config));
        layer_norm = RegisterModule(nameof(layer_norm), new T5LayerNorm(config.DModel, config.LayerNormEpsilon));
    }

#pragma warning disable IDE1006
    public readonly Umt5Attention SelfAttention;
    public readonly T5LayerNorm layer_norm;
#pragma warning restore IDE1006

    public Tensor Forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = new DisposeScope();
        var attended = SelfAttention.Forward(layer_norm.Forward(hidden), additiveMask);
        return scope.MoveOut(hidden + attended);
    }
}

/// <summary><c>layer.1</c>: h + DenseReluDense(layer_norm(h)) with the gated-GELU dense block.</summary>
public sealed class Umt5LayerFF : Module
{
    public Umt5LayerFF(Umt5Config config)
    {
        DenseReluDense = RegisterModule(nameof(DenseReluDense), new Umt5DenseGatedActDense(config));
        layer_norm = RegisterModule(nameof(layer_norm), new T5LayerNorm(config.DModel, config.LayerNormEpsilon));
    }

#pragma warning disable IDE1006
    public readonly Umt5DenseGatedActDense DenseReluDense;
    public readonly T5LayerNorm layer_norm;
#pragma warning restore IDE1006

    public Tensor Forward(Tensor hidden)
    {
        using var scope = new DisposeScope();
        return scope.MoveOut(hidden + DenseReluDense.Forward(layer_norm.Forward(hidden)));
    }
}

/// <summary>wo(gelu_tanh(wi_0(h)) * wi_1(h)), no biases.</summary>
public sealed class Umt5DenseGatedActDense : Module<Tensor, Tensor>
{
    public Umt5DenseGatedActDense(Umt5Config config)
    {
        wi_0 = RegisterModule(nameof(wi_0), new Linear(config.DModel, config.DFf, hasBias: false));
        wi_1 = RegisterModule(nameof(wi_1), new Linear(config.DModel, config.DFf, hasBias: false));
        wo = RegisterModule(nameof(wo), new Linear(config.DFf, config.DModel, hasBias: false));
    }

#pragma warning disable IDE1006
    public readonly Linear wi_0;
    public readonly Linear wi_1;
    public readonly Linear wo;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var gated = Functional.Gelu(wi_0.Forward(input), "tanh") * wi_1.Forward(input);
        if (gated.DType != wo.weight.DType) gated = gated.To(wo.weight.DType);
        return scope.MoveOut(wo.Forward(gated));
    }
}

/// <summary>T5's RMS norm: no mean subtraction, no bias, statistics in float32, cast back for half weights.</summary>
public sealed class T5LayerNorm : Module<Tensor, Tensor>
{
    private readonly double eps;

    public T5LayerNorm(long dim, double eps)
    {
        this.eps = eps;
        weight = RegisterParameter(nameof(weight), Tensor.Ones([dim]));
    }

#pragma warning disable IDE1006
    public readonly Tensor weight;
#pragma warning restore IDE1006

    public override Tensor Forward(Tensor input)
    {
        using var scope = new DisposeScope();
        var x = input.To(DType.Float32);
        var normalized = x * (x.Square().Mean([-1], keepDim: true) + eps).Rsqrt();
        if (weight.DType is DType.Float16 or DType.BFloat16) normalized = normalized.To(weight.DType);
        return scope.MoveOut(weight * normalized);
    }
}
