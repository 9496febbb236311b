using static AceTrainer.Engine.Functional;

namespace AceTrainer.Engine.Tests.Reference;

/// <summary>The operators checked against PyTorch (forward values and gradients).</summary>
internal static class OperatorCases
{
    private static Func<Tensor> Randn(params long[] shape) => () => Tensor.Randn(shape);
    private static Func<Tensor> Positive(params long[] shape) => () => Tensor.Rand(shape) + 0.5;
    private static Func<Tensor> Indices(long high, params long[] shape) => () => Tensor.RandInt(0, high, shape);
    private static Func<Tensor> Mask(params long[] shape) => () => Tensor.Rand(shape).Lt(0.6);

    private static ReferenceCase Case(string name, string python, Func<IReadOnlyDictionary<string, Tensor>, Tensor> engine,
        string grads, params (string Name, Func<Tensor> Make)[] inputs) =>
        new(name, python, engine, inputs.ToDictionary(i => i.Name, i => i.Make),
            grads.Split(',', StringSplitOptions.RemoveEmptyEntries));

    public static IReadOnlyList<ReferenceCase> All { get; } =
    [
        Case("matmul", "torch.matmul(a, b)", t => t["a"].MatMul(t["b"]), "a,b", ("a", Randn(2, 3, 4)), ("b", Randn(4, 5))),
        Case("linear", "F.linear(x, w, b)", t => Linear(t["x"], t["w"], t["b"]), "x,w,b", ("x", Randn(2, 3, 4)), ("w", Randn(5, 4)), ("b", Randn(5))),
        Case("conv1d", "F.conv1d(x, w, b, 1, 1)", t => Conv1d(t["x"], t["w"], t["b"], padding: 1), "x,w,b",
            ("x", Randn(2, 3, 10)), ("w", Randn(4, 3, 3)), ("b", Randn(4))),
        Case("conv1d_depthwise", "F.conv1d(x, w, None, 2, 1, 1, 4)", t => Conv1d(t["x"], t["w"], stride: 2, padding: 1, groups: 4), "x,w",
            ("x", Randn(2, 4, 11)), ("w", Randn(4, 1, 3))),
        Case("conv2d", "F.conv2d(x, w, b, 2, 1)", t => Conv2d(t["x"], t["w"], t["b"], stride: 2, padding: 1), "x,w,b",
            ("x", Randn(2, 3, 8, 8)), ("w", Randn(6, 3, 3, 3)), ("b", Randn(6))),
        Case("conv2d_depthwise", "F.conv2d(x, w, b, 1, 1, 1, 3)", t => Conv2d(t["x"], t["w"], t["b"], padding: 1, groups: 3), "x,w,b",
            ("x", Randn(2, 3, 6, 6)), ("w", Randn(3, 1, 3, 3)), ("b", Randn(3))),
        Case("group_norm", "F.group_norm(x, 3, w, b, 1e-5)", t => GroupNorm(t["x"], 3, t["w"], t["b"]), "x,w,b",
            ("x", Randn(2, 6, 5)), ("w", Randn(6)), ("b", Randn(6))),
        Case("layer_norm", "F.layer_norm(x, [8], w, b, 1e-5)", t => LayerNorm(t["x"], [8], t["w"], t["b"]), "x,w,b",
            ("x", Randn(2, 3, 8)), ("w", Randn(8)), ("b", Randn(8))),
        Case("rms_norm", "x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w", t => RmsNorm(t["x"], [8], t["w"]), "x,w",
            ("x", Randn(2, 3, 8)), ("w", Randn(8))),
        Case("embedding", "F.embedding(i, w)", t => Embedding(t["i"], t["w"]), "w", ("i", Indices(10, 2, 3)), ("w", Randn(10, 4))),
        Case("silu", "F.silu(x)", t => Silu(t["x"]), "x", ("x", Randn(4, 5))),
        Case("gelu", "F.gelu(x)", t => Gelu(t["x"]), "x", ("x", Randn(4, 5))),
        Case("gelu_tanh", "F.gelu(x, approximate='tanh')", t => Gelu(t["x"], "tanh"), "x", ("x", Randn(4, 5))),
        Case("relu", "F.relu(x)", t => Relu(t["x"]), "x", ("x", Randn(4, 5))),
        Case("softmax", "torch.softmax(x, -1)", t => Softmax(t["x"], -1), "x", ("x", Randn(3, 7))),
        Case("attention", "torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), -1) @ v",
            t => ScaledDotProductAttention(t["q"], t["k"], t["v"]), "q,k,v", ("q", Randn(2, 2, 5, 8)), ("k", Randn(2, 2, 6, 8)), ("v", Randn(2, 2, 6, 8))),
        Case("attention_causal",
            "torch.softmax((q @ k.transpose(-2, -1) * 0.5).masked_fill(~torch.ones(5, 5, dtype=torch.bool).tril(), float('-inf')), -1) @ v",
            t => ScaledDotProductAttention(t["q"], t["k"], t["v"], isCausal: true, scale: 0.5), "q,k,v",
            ("q", Randn(2, 5, 4)), ("k", Randn(2, 5, 4)), ("v", Randn(2, 5, 4))),
        Case("attention_bool_mask", "torch.softmax((q @ k.transpose(-2, -1) / 2).masked_fill(~m, -1e30), -1) @ v",
            t => ComposedAttention(t["q"], t["k"], t["v"], mask: t["m"]), "q,v",
            ("q", Randn(3, 4)), ("k", Randn(6, 4)), ("v", Randn(6, 2)), ("m", () => Tensor.Ones([3, 6], DType.Bool).Tril(2))),
        Case("cat", "torch.cat([a, b], 1)", t => Tensor.Cat([t["a"], t["b"]], 1), "a,b", ("a", Randn(2, 3)), ("b", Randn(2, 4))),
        Case("split", "torch.split(x, 2, 1)[1] * 3", t => t["x"].Split(2, 1)[1] * 3, "x", ("x", Randn(3, 5))),
        Case("chunk", "torch.chunk(x, 3, 0)[2]", t => t["x"].Chunk(3, 0)[2], "x", ("x", Randn(6, 2))),
        Case("view_permute", "x.view(2, 3, 4).permute(2, 0, 1).reshape(4, 6)", t => t["x"].View(2, 3, 4).Permute(2, 0, 1).Reshape(4, 6), "x", ("x", Randn(6, 4))),
        Case("transpose", "x.transpose(0, 2).contiguous()", t => t["x"].Transpose(0, 2).Contiguous(), "x", ("x", Randn(2, 3, 4))),
        Case("interp_nearest1d", "F.interpolate(x, scale_factor=2.0, mode='nearest')", t => Interpolate(t["x"], scaleFactor: [2.0]), "x", ("x", Randn(2, 3, 5))),
        Case("interp_nearest2d", "F.interpolate(x, size=(7, 9), mode='nearest')", t => Interpolate(t["x"], size: [7, 9]), "x", ("x", Randn(1, 2, 4, 5))),
        Case("interp_linear1d", "F.interpolate(x, size=9, mode='linear', align_corners=False)", t => Interpolate(t["x"], size: [9], mode: "linear"), "x", ("x", Randn(2, 3, 5))),
        Case("interp_linear1d_scale", "F.interpolate(x, scale_factor=1.5, mode='linear')", t => Interpolate(t["x"], scaleFactor: [1.5], mode: "linear"), "x", ("x", Randn(2, 3, 6))),
        Case("where", "torch.where(m, a, b)", t => t["a"].Where(t["m"], t["b"]), "a,b", ("m", Mask(4, 5)), ("a", Randn(4, 5)), ("b", Randn(4, 5))),
        Case("masked_fill", "x.masked_fill(m, -2.5)", t => t["x"].MaskedFill(t["m"], -2.5), "x", ("x", Randn(4, 5)), ("m", Mask(4, 5))),
        Case("sum_dim", "x.sum(1, keepdim=True)", t => t["x"].Sum(1, keepDim: true), "x", ("x", Randn(3, 4, 2))),
        Case("mean_all", "x.mean()", t => t["x"].Mean(), "x", ("x", Randn(3, 4))),
        Case("max_dim", "x.max(1)[0]", t => t["x"].Max(1).Values, "x", ("x", Randn(3, 6))),
        Case("max_indices", "x.max(1)[1]", t => t["x"].Max(1).Indices, "", ("x", Randn(3, 6))),
        Case("cos_sin", "torch.cos(x) * torch.sin(y)", t => t["x"].Cos() * t["y"].Sin(), "x,y", ("x", Randn(5)), ("y", Randn(5))),
        Case("arithmetic", "(a + b) * c - a / c + 2.0 * b - 1.0 / c", t => (t["a"] + t["b"]) * t["c"] - t["a"] / t["c"] + 2.0 * t["b"] - 1.0 / t["c"], "a,b,c",
            ("a", Randn(3, 4)), ("b", Randn(4)), ("c", Positive(3, 4))),
        Case("pow_sqrt_exp", "x.pow(3) + x.sqrt() + (-x).exp()", t => t["x"].Pow(3) + t["x"].Sqrt() + (-t["x"]).Exp(), "x", ("x", Positive(6))),
        Case("mse_loss", "F.mse_loss(a, b)", t => MseLoss(t["a"], t["b"]), "a,b", ("a", Randn(4, 3)), ("b", Randn(4, 3))),
        Case("cosine_embedding_loss", "F.cosine_embedding_loss(a, b, y)", t => CosineEmbeddingLoss(t["a"], t["b"], t["y"]), "a,b",
            ("a", Randn(5, 8)), ("b", Randn(5, 8)), ("y", () => Tensor.From(new float[] { 1, -1, 1, 1, -1 }))),
        Case("cosine_loss", "(1 - F.cosine_similarity(a, b, -1)).mean()", t => CosineLoss(t["a"], t["b"]), "a,b", ("a", Randn(5, 8)), ("b", Randn(5, 8))),
        Case("cross_entropy", "F.cross_entropy(x, i)", t => CrossEntropy(t["x"], t["i"]), "x", ("x", Randn(6, 10)), ("i", Indices(10, 6))),
        Case("bf16_roundtrip", "x.to(torch.bfloat16).to(torch.float32)", t => t["x"].To(DType.BFloat16).To(DType.Float32), "x", ("x", Randn(16))),
        Case("dropout_eval", "F.dropout(x, 0.5, False)", t => Dropout(t["x"], 0.5, training: false), "x", ("x", Randn(8))),
    ];
}
