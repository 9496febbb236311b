"""Builds the reference module tree of ModuleTests in PyTorch, saves its state dict, an input and the output.

usage: module_reference.py out.safetensors
"""
import sys

import torch
import torch.nn as nn

from safetensors_io import save


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(dim, dim, bias=False)
        self.to_v = nn.Linear(dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = (f(x).view(b, t, self.heads, -1).transpose(1, 2) for f in (self.to_q, self.to_k, self.to_v))
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        s = (q @ k.transpose(-2, -1) / (q.shape[-1] ** 0.5)).masked_fill(~mask, float("-inf"))
        o = torch.softmax(s, -1) @ v
        return self.to_out(o.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, 2)
        self.norm2 = RMSNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.conv = nn.Conv1d(dim, dim, 3, padding=1, groups=dim)
        self.gn = nn.GroupNorm(4, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        x = x + self.ff(self.norm2(x))
        return x + self.gn(self.conv(x.transpose(1, 2))).transpose(1, 2)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.blocks = nn.ModuleList([Block(16) for _ in range(2)])
        self.norm = nn.LayerNorm(16)

    def forward(self, tokens):
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


if __name__ == "__main__":
    torch.manual_seed(0)
    model = Model()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)  # move norms away from their ones/zeros init
    tokens = torch.randint(0, 50, (2, 7))
    out = model(tokens)
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors["tokens"] = tokens
    tensors["output"] = out.detach()
    save(sys.argv[1], tensors, {"source": "module_reference.py"})
