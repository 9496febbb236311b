namespace AceTrainer.Engine.Modules;

/// <summary>
/// The low-rank branch of one <see cref="Linear"/>: x ↦ B(A(dropout(x))) · scale. A and B are registered on the
/// host layer as <c>lora_A</c> and <c>lora_B</c>, so state-dict keys are PEFT's (<c>….to_q.lora_A.weight</c>).
/// </summary>
public sealed class LoraAdapter
{
    internal LoraAdapter(Linear a, Linear b, double scale, double dropout)
    {
        (A, B, Scale, DropoutP) = (a, b, scale, dropout);
    }

    public Linear A { get; }

    public Linear B { get; }

    public double Scale { get; }

    public double DropoutP { get; }

    internal Tensor Forward(Tensor input, bool training)
    {
        using var scope = new DisposeScope();
        var x = DropoutP > 0 && training ? Functional.Dropout(input, DropoutP, training) : input;
        // Adapter weights stay float32 (master weights); in a bf16 model they are cast for the matmuls, as autocast does.
        var a = A.weight.DType == input.DType ? A.weight : A.weight.To(input.DType);
        var b = B.weight.DType == input.DType ? B.weight : B.weight.To(input.DType);
        var low = Functional.Linear(x, a);
        var up = Functional.Linear(low, b);
        return (up * Scale).MoveToOuterScope();
    }
}

public sealed partial class Linear
{
    /// <summary>The attached LoRA branch, if any.</summary>
    public LoraAdapter? Lora { get; private set; }

    /// <summary>
    /// Adds a LoRA branch: A (r×in) Kaiming-uniform as PEFT (a=√5, i.e. ±1/√in), B (out×r) zero, so the layer's
    /// output is unchanged until B trains. Adapter weights are float32 on this layer's device.
    /// </summary>
    internal LoraAdapter AttachLora(int rank, double scale, double dropout)
    {
        if (Lora is not null) throw new InvalidOperationException("this layer already has a LoRA adapter");
        var device = weight.Device;
        var a = new Linear(InFeatures, rank, hasBias: false);
        var b = new Linear(rank, OutFeatures, hasBias: false);
        using (Torch.NoGrad()) b.weight.Zero_();
        if (device.Type != DeviceType.Cpu)
        {
            a.To(device);
            b.To(device);
        }
        RegisterModule("lora_A", a);
        RegisterModule("lora_B", b);
        Lora = new LoraAdapter(a, b, scale, dropout);
        return Lora;
    }
}
