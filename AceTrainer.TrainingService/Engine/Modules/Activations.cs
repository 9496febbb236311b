namespace AceTrainer.Engine.Modules;

public sealed class Gelu(string approximate = "none") : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => Functional.Gelu(input, approximate);
}

public sealed class Silu : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => Functional.Silu(input);
}

public sealed class Relu : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => Functional.Relu(input);
}
