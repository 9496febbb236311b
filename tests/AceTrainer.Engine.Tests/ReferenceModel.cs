using AceTrainer.Engine.Modules;

namespace AceTrainer.Engine.Tests;

/// <summary>C# twin of python/module_reference.py (same structure, so the same state-dict keys).</summary>
internal sealed class ReferenceModel : Module<Tensor, Tensor>
{
    public ReferenceModel()
    {
        embed = RegisterModule(nameof(embed), new Embedding(50, 16));
        blocks = RegisterModule(nameof(blocks), new ModuleList<Block>([new Block(16), new Block(16)]));
        norm = RegisterModule(nameof(norm), new LayerNorm(16));
    }

#pragma warning disable IDE1006
    public readonly Embedding embed;
    public readonly ModuleList<Block> blocks;
    public readonly LayerNorm norm;
#pragma warning restore IDE1006

    public bool UseCheckpointing { get; set; }

    public override Tensor Forward(Tensor tokens)
    {
        var x = embed.Forward(tokens);
        foreach (var block in blocks) x = UseCheckpointing ? Checkpoint.Run(block, x) : block.Forward(x);
        return norm.Forward(x);
    }

    internal sealed class Attention : Module<Tensor, Tensor>
    {
        public Attention(long dim)
        {
            to_q = RegisterModule(nameof(to_q), new Linear(dim, dim, hasBias: false));
            to_k = RegisterModule(nameof(to_k), new Linear(dim, dim, hasBias: false));
            to_v = RegisterModule(nameof(to_v), new Linear(dim, dim, hasBias: false));
            to_out = RegisterModule(nameof(to_out), new Linear(dim, dim));
        }

#pragma warning disable IDE1006
        public readonly Linear to_q, to_k, to_v, to_out;
#pragma warning restore IDE1006

        public override Tensor Forward(Tensor x)
        {
            var (b, t, d) = (x.Size(0), x.Size(1), x.Size(2));
            Tensor Heads(Linear f) => f.Forward(x).View(b, t, 2, -1).Transpose(1, 2);
            var o = Functional.ScaledDotProductAttention(Heads(to_q), Heads(to_k), Heads(to_v), isCausal: true);
            return to_out.Forward(o.Transpose(1, 2).Reshape(b, t, d));
        }
    }

    internal sealed class Block : Module<Tensor, Tensor>
    {
        public Block(long dim)
        {
            norm1 = RegisterModule(nameof(norm1), new LayerNorm(dim));
            attn = RegisterModule(nameof(attn), new Attention(dim));
            norm2 = RegisterModule(nameof(norm2), new RMSNorm(dim));
            ff = RegisterModule(nameof(ff), new Sequential(new Linear(dim, 2 * dim), new Gelu(), new Linear(2 * dim, dim)));
            conv = RegisterModule(nameof(conv), new Conv1d(dim, dim, 3, padding: 1, groups: dim));
            gn = RegisterModule(nameof(gn), new GroupNorm(4, dim));
        }

#pragma warning disable IDE1006
        public readonly LayerNorm norm1;
        public readonly Attention attn;
        public readonly RMSNorm norm2;
        public readonly Sequential ff;
        public readonly Conv1d conv;
        public readonly GroupNorm gn;
#pragma warning restore IDE1006

        public override Tensor Forward(Tensor x)
        {
            x = x + attn.Forward(norm1.Forward(x));
            x = x + ff.Forward(norm2.Forward(x));
            return x + gn.Forward(conv.Forward(x.Transpose(1, 2))).Transpose(1, 2);
        }
    }
}
