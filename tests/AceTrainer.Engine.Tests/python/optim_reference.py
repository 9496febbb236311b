"""torch.optim.AdamW and clip_grad_norm_ on given parameters and per-step gradients.

usage: optim_reference.py in.safetensors out.safetensors
in: p0, p1 (initial parameters), g{step}_{i} gradients; metadata steps, lr, weight_decay, max_norm.
out: p0, p1 after the steps; norm{step}: total norm returned by clip_grad_norm_.
"""
import sys

import torch

from safetensors_io import load, save

tensors, meta = load(sys.argv[1])
params = [tensors["p0"].clone().requires_grad_(), tensors["p1"].clone().requires_grad_()]
opt = torch.optim.AdamW(params, lr=float(meta["lr"]), betas=(0.9, 0.95), eps=1e-8, weight_decay=float(meta["weight_decay"]))
out = {}
for step in range(int(meta["steps"])):
    for i, p in enumerate(params):
        p.grad = tensors[f"g{step}_{i}"].clone()
    out[f"norm{step}"] = torch.nn.utils.clip_grad_norm_(params, float(meta["max_norm"])).reshape(1)
    opt.step()
out["p0"], out["p1"] = params[0].detach(), params[1].detach()
save(sys.argv[2], out)
