using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

namespace AceTrainer.AceStep.Transformer;

#pragma warning disable IDE1006 // field names equal checkpoint keys

/// <summary>
/// The self-attention of a block: diffusers' <c>Attention</c> (to_q/to_k/to_v/to_out) run by upstream's
/// linear-attention processor: ReLU feature maps, RoPE on q and k, masked q/k/v, O(S·D²) in float32.
/// </summary>
public sealed class LinearAttention : Module
{
    private const double Epsilon = 1e-15;
    private readonly long heads;

    public LinearAttention(long dim, long heads, long headDim)
    {
        this.heads = heads;
        var inner = heads * headDim;
        to_q = RegisterModule(nameof(to_q), new Linear(dim, inner));
        to_k = RegisterModule(nameof(to_k), new Linear(dim, inner));
        to_v = RegisterModule(nameof(to_v), new Linear(dim, inner));
        to_out = RegisterModule(nameof(to_out), new ModuleList<Module<Tensor, Tensor>>([new Linear(inner, dim), new Dropout(0.0)]));
    }

    public readonly Linear to_q, to_k, to_v;
    public readonly ModuleList<Module<Tensor, Tensor>> to_out;

    /// <summary>x [B, S, C], mask [B, S] (1 keep, 0 padding) → [B, S, C].</summary>
    public Tensor Forward(Tensor x, Tensor mask, RotaryTables rope)
    {
        using var scope = new DisposeScope();
        var (batch, length, _) = (x.Size(0), x.Size(1), x.Size(2));
        var dtype = x.DType;
        var q = to_q.Forward(x);
        var headDim = q.Size(-1) / heads;
        // [B, H, S, D] for q and k, [B, H, D, S] for v
        var query = q.View(batch, length, heads, headDim).Permute(0, 2, 1, 3);
        var key = to_k.Forward(x).View(batch, length, heads, headDim).Permute(0, 2, 1, 3);
        var value = to_v.Forward(x).View(batch, length, heads, headDim).Permute(0, 2, 3, 1);
        query = rope.Apply(query).Transpose(-1, -2);
        key = rope.Apply(key);

        var keep = mask.To(key.DType);
        var overPositions = keep.Unsqueeze(1).Unsqueeze(1);   // [B, 1, 1, S]
        var overRows = keep.Unsqueeze(1).Unsqueeze(-1);       // [B, 1, S, 1]
        var compute = RotaryTables.ComputeType(dtype);
        query = Functional.Relu(query * overPositions).To(compute);
        key = Functional.Relu(key * overRows).To(compute);
        value = (value * overPositions).To(compute);

        // an extra row of ones in v yields the normaliser Σ k·q next to the numerator
        var ones = Tensor.Ones([batch, heads, 1, length], compute, value.Device);
        var padded = Tensor.Cat([value, ones], 2);
        var valueKey = padded.MatMul(key);                    // [B, H, D+1, D]
        var weighted = valueKey.MatMul(query);                // [B, H, D+1, S]
        var numerator = weighted.Narrow(2, 0, headDim);
        var denominator = weighted.Narrow(2, headDim, 1) + Epsilon;
        var attended = (numerator / denominator).View(batch, heads * headDim, length).Permute(0, 2, 1).To(dtype);
        var output = to_out[0].Forward(attended);
        return to_out[1].Forward(output).MoveToOuterScope();
    }
}

/// <summary>
/// The cross-attention of a block: diffusers' <c>Attention</c> with added-KV projections (add_q/k/v_proj,
/// to_add_out exist in the checkpoint but upstream's processor never calls them). Softmax attention from
/// the latent tokens to the conditioning sequence, RoPE on q (latent positions) and k (condition positions).
/// </summary>
public sealed class CrossAttention : Module
{
    private readonly long heads;

    public CrossAttention(long dim, long crossDim, long heads, long headDim)
    {
        this.heads = heads;
        var inner = heads * headDim;
        to_q = RegisterModule(nameof(to_q), new Linear(dim, inner));
        to_k = RegisterModule(nameof(to_k), new Linear(crossDim, inner));
        to_v = RegisterModule(nameof(to_v), new Linear(crossDim, inner));
        add_k_proj = RegisterModule(nameof(add_k_proj), new Linear(crossDim, inner));
        add_v_proj = RegisterModule(nameof(add_v_proj), new Linear(crossDim, inner));
        add_q_proj = RegisterModule(nameof(add_q_proj), new Linear(crossDim, inner));
        to_out = RegisterModule(nameof(to_out), new ModuleList<Module<Tensor, Tensor>>([new Linear(inner, dim), new Dropout(0.0)]));
        to_add_out = RegisterModule(nameof(to_add_out), new Linear(inner, dim));
    }

    public readonly Linear to_q, to_k, to_v, add_k_proj, add_v_proj, add_q_proj, to_add_out;
    public readonly ModuleList<Module<Tensor, Tensor>> to_out;

    /// <summary>x [B, S, C] with mask [B, S]; condition [B, L, C'] with mask [B, L] → [B, S, C].</summary>
    public Tensor Forward(Tensor x, Tensor mask, Tensor condition, Tensor conditionMask, RotaryTables rope, RotaryTables conditionRope)
    {
        using var scope = new DisposeScope();
        var (batch, length) = (x.Size(0), x.Size(1));
        var conditionLength = condition.Size(1);
        var q = to_q.Forward(x);
        var headDim = q.Size(-1) / heads;
        var query = rope.Apply(q.View(batch, length, heads, headDim).Transpose(1, 2));
        var key = conditionRope.Apply(to_k.Forward(condition).View(batch, conditionLength, heads, headDim).Transpose(1, 2));
        var value = to_v.Forward(condition).View(batch, conditionLength, heads, headDim).Transpose(1, 2);

        // a pair (latent i, condition j) takes part when both masks are 1, as upstream
        var pairs = mask.To(DType.Float32).Unsqueeze(2) * conditionMask.To(DType.Float32).Unsqueeze(1);
        var allowed = pairs.Eq(1.0);
        // rows without any allowed pair (padded latent frames) would be NaN; like PyTorch >= 2.5's
        // attention they give 0: attend everywhere to stay finite, then zero the row
        var rowHasKeys = Engine.Dispatch.Op.Get("aten::any", "dim").Invoke(allowed, -1L, true);
        var allowedOrEmptyRow = Engine.Dispatch.Op.Get("aten::logical_or").Invoke(allowed, rowHasKeys.LogicalNot());
        var bias = Tensor.Zeros([batch, length, conditionLength], query.DType, x.Device)
            .MaskedFill(allowedOrEmptyRow.LogicalNot(), double.NegativeInfinity).Unsqueeze(1);
        var attended = Functional.ScaledDotProductAttention(query, key, value, bias);
        attended = attended * rowHasKeys.Unsqueeze(1).To(attended.DType);
        var merged = attended.Transpose(1, 2).Reshape(batch, length, heads * headDim).To(query.DType);
        var output = to_out[0].Forward(merged);
        return to_out[1].Forward(output).MoveToOuterScope();
    }
}
