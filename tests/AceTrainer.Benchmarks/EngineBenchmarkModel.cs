using AceTrainer.Engine;
using AceTrainer.Engine.Modules;

/// <summary>Pre-LN transformer blocks; python twin in <see cref="PythonReference"/>.</summary>
internal sealed class TransformerStack : Module<Tensor, Tensor>
{
    private readonly ModuleList<Block> blocks;

    public TransformerStack(int depth, int width, int heads) =>
        blocks = RegisterModule(nameof(blocks), new ModuleList<Block>(Enumerable.Range(0, depth).Select(_ => new Block(width, heads))));

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var block in blocks) x = block.Forward(x);
        return x;
    }

    internal sealed class Block : Module<Tensor, Tensor>
    {
        private readonly int heads;
        private readonly LayerNorm norm1, norm2;
        private readonly Linear qkv, proj, fc1, fc2;

        public Block(int width, int heads)
        {
            this.heads = heads;
            norm1 = RegisterModule(nameof(norm1), new LayerNorm(width));
            qkv = RegisterModule(nameof(qkv), new Linear(width, 3 * width));
            proj = RegisterModule(nameof(proj), new Linear(width, width));
            norm2 = RegisterModule(nameof(norm2), new LayerNorm(width));
            fc1 = RegisterModule(nameof(fc1), new Linear(width, 4 * width));
            fc2 = RegisterModule(nameof(fc2), new Linear(4 * width, width));
        }

        public override Tensor Forward(Tensor x)
        {
            var (b, t, c) = (x.Size(0), x.Size(1), x.Size(2));
            var parts = qkv.Forward(norm1.Forward(x)).View(b, t, 3, heads, c / heads).Permute(2, 0, 3, 1, 4);
            var (q, k, v) = (parts.Select(0, 0), parts.Select(0, 1), parts.Select(0, 2));
            var attended = Functional.ScaledDotProductAttention(q, k, v, isCausal: true);
            x = x + proj.Forward(attended.Transpose(1, 2).Reshape(b, t, c));
            return x + fc2.Forward(Functional.Gelu(fc1.Forward(norm2.Forward(x))));
        }
    }
}

internal static class PythonReference
{
    public const string Script = """
        import sys, time, math
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        blocks, width, seq, batch, threads, warmup, steps = map(int, sys.argv[1:8])
        device, dtype = sys.argv[8], {"float32": torch.float32, "bfloat16": torch.bfloat16}[sys.argv[9]]
        torch.set_num_threads(threads)
        sdpa = getattr(F, "scaled_dot_product_attention", None)

        def attention(q, k, v):
            if sdpa is not None:
                return sdpa(q, k, v, is_causal=True)
            s = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(q.shape[-1]))
            keep = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool, device=q.device).tril()
            return torch.softmax(s.masked_fill(~keep, float("-inf")), -1) @ v

        class Block(nn.Module):
            def __init__(self, width, heads):
                super().__init__()
                self.heads = heads
                self.norm1, self.qkv, self.proj = nn.LayerNorm(width), nn.Linear(width, 3 * width), nn.Linear(width, width)
                self.norm2, self.fc1, self.fc2 = nn.LayerNorm(width), nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

            def forward(self, x):
                b, t, c = x.shape
                q, k, v = self.qkv(self.norm1(x)).view(b, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
                x = x + self.proj(attention(q, k, v).transpose(1, 2).reshape(b, t, c))
                return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))

        torch.manual_seed(0)
        model = nn.Sequential(*[Block(width, width // 64) for _ in range(blocks)]).to(device, dtype)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        x = torch.randn(batch, seq, width, device=device, dtype=dtype)
        y = torch.randn(batch, seq, width, device=device, dtype=dtype)
        times = []
        for step in range(warmup + steps):
            start = time.perf_counter()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            loss.item()
            if step >= warmup:
                times.append((time.perf_counter() - start) * 1000)
        print(" ".join(f"{t:.3f}" for t in times))
        """;
}
