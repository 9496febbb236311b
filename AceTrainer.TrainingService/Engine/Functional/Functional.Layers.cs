using AceTrainer.Engine.Dispatch;

namespace AceTrainer.Engine;

/// <summary>Stateless neural-network operations (the counterpart of <c>torch.nn.functional</c>).</summary>
public static partial class Functional
{
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Op.Get("aten::linear").Invoke(input, weight, bias);

    /// <summary>1-D convolution over (N, C, L); <paramref name="groups"/> = C gives a depthwise convolution.</summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
        Op.Get("aten::conv1d").Invoke(input, weight, bias, new[] { stride }, new[] { padding }, new[] { dilation }, groups);

    /// <summary>2-D convolution over (N, C, H, W); <paramref name="groups"/> = C gives a depthwise convolution.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
        Op.Get("aten::conv2d").Invoke(input, weight, bias, new[] { stride, stride }, new[] { padding, padding }, new[] { dilation, dilation }, groups);

    /// <summary>2-D convolution with per-direction (height, width) stride, padding and dilation.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1) =>
        Op.Get("aten::conv2d").Invoke(input, weight, bias, stride, padding, dilation, groups);

    public static Tensor GroupNorm(Tensor input, long groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        Op.Get("aten::group_norm").Invoke(input, groups, weight, bias, eps);

    public static Tensor LayerNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
        Op.Get("aten::layer_norm").Invoke(input, normalizedShape, weight, bias, eps);

    /// <summary>Whether this libtorch has aten::rms_norm (PyTorch 2.4+); otherwise it is composed.</summary>
    public static bool HasNativeRmsNorm { get; } = Op.Find("aten::rms_norm") is not null;

    /// <summary>
    /// RMS normalisation over the last dimensions: x / sqrt(mean(x^2) + eps) * weight. Half-precision
    /// inputs are normalised in float32 (as LLaMA-style implementations do) and cast back.
    /// </summary>
    public static Tensor RmsNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, double eps = 1e-6)
    {
        if (HasNativeRmsNorm) return Op.Get("aten::rms_norm").Invoke(input, normalizedShape, weight, eps);
        var dims = Enumerable.Range(1, normalizedShape.Length).Select(k => (long)-k).ToArray();
        var inputType = input.DType;
        using var x = inputType == DType.Float32 || inputType == DType.Float64 ? input.Alias() : input.To(DType.Float32);
        using var square = x.Square();
        using var meanSquare = square.Mean(dims, keepDim: true);
        using var shifted = meanSquare + eps;
        using var inverse = shifted.Rsqrt();
        using var normalized = x * inverse;
        if (weight is null) return inputType == normalized.DType ? normalized.Alias() : normalized.To(inputType);
        using var cast = normalized.To(inputType);
        return cast * weight;
    }

    /// <summary>Rows of <paramref name="weight"/> picked by integer <paramref name="indices"/>.</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight, long paddingIdx = -1) =>
        Op.Get("aten::embedding").Invoke(weight, indices, paddingIdx);

    public static Tensor Silu(Tensor input) => Op.Get("aten::silu").Invoke(input);

    /// <summary>GELU; <paramref name="approximate"/> is "none" (erf) or "tanh".</summary>
    public static Tensor Gelu(Tensor input, string approximate = "none") => Op.Get("aten::gelu").Invoke(input, approximate);

    public static Tensor Relu(Tensor input) => Op.Get("aten::relu").Invoke(input);

    public static Tensor Softmax(Tensor input, long dim) => Op.Get("aten::softmax", "int").Invoke(input, dim);

    public static Tensor LogSoftmax(Tensor input, long dim) => Op.Get("aten::log_softmax", "int").Invoke(input, dim);

    /// <summary>Zeroes elements with probability <paramref name="p"/> when training and rescales the rest.</summary>
    public static Tensor Dropout(Tensor input, double p, bool training) => Op.Get("aten::dropout").Invoke(input, p, training);

    /// <summary>
    /// Resizes (N, C, L) with mode "nearest" or "linear", or (N, C, H, W) with "nearest" or "bilinear".
    /// Give either <paramref name="size"/> or <paramref name="scaleFactor"/> (one entry per spatial dimension).
    /// </summary>
    public static Tensor Interpolate(Tensor input, long[]? size = null, double[]? scaleFactor = null, string mode = "nearest", bool alignCorners = false)
    {
        var spatial = input.Dim - 2;
        if (spatial is not (1 or 2)) throw new ArgumentException("interpolate supports 3-D and 4-D inputs");
        if ((size is null) == (scaleFactor is null)) throw new ArgumentException("give exactly one of size and scaleFactor");
        var shape = input.Shape;
        var outSize = size ?? Enumerable.Range(0, spatial).Select(k => (long)Math.Floor(shape[k + 2] * scaleFactor![k])).ToArray();
        OpArg Scale(int k) => scaleFactor is null ? OpArg.None : scaleFactor[k];
        return (mode, spatial) switch
        {
            ("nearest", 1) => Op.Get("aten::upsample_nearest1d").Invoke(input, outSize, Scale(0)),
            ("nearest", 2) => Op.Get("aten::upsample_nearest2d").Invoke(input, outSize, Scale(0), Scale(1)),
            ("linear", 1) => Op.Get("aten::upsample_linear1d").Invoke(input, outSize, alignCorners, Scale(0)),
            ("bilinear" or "linear", 2) => Op.Get("aten::upsample_bilinear2d").Invoke(input, outSize, alignCorners, Scale(0), Scale(1)),
            _ => throw new ArgumentException($"unsupported interpolation mode {mode} for {spatial} spatial dimension(s)"),
        };
    }
}
