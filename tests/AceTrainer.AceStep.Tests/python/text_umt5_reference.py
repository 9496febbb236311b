"""Independent torch reference of HF's UMT5 encoder (UMT5EncoderModel.forward -> last_hidden_state).

stdin: JSON {"folder": dir with config.json + model.safetensors, "input_ids": [[...]], "attention_mask": [[...]]}
stdout: JSON {"shape": [...], "values": [...flattened float32...]}
Written from the HF modeling_umt5 semantics: per-layer relative attention bias, unscaled scores, additive mask
(1 - mask) * finfo.min, T5 RMS norm in float32, gated gelu_new feed-forward, final norm; no dropout (eval).
"""
import json
import math
import os
import struct
import sys

import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
        data = f.read()
    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = bytearray(data[start:end])
        tensors[name] = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"]).float()
    return tensors


def rms_norm(x, weight, eps):
    variance = x.float().pow(2).mean(-1, keepdim=True)
    return weight * (x.float() * torch.rsqrt(variance + eps))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def bucket(relative, num_buckets, max_distance):
    num_buckets //= 2
    result = (relative > 0).to(torch.long) * num_buckets
    relative = torch.abs(relative)
    max_exact = num_buckets // 2
    is_small = relative < max_exact
    ratio = torch.log(relative.float() / max_exact) / math.log(max_distance / max_exact)
    ratio = ratio * (num_buckets - max_exact)
    large = max_exact + ratio.int()
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return result + torch.where(is_small, relative, large)


def encode(cfg, w, ids, mask):
    h = torch.nn.functional.embedding(ids, w["shared.weight"])
    batch, length, _ = h.shape
    heads, dk, eps = cfg["num_heads"], cfg["d_kv"], cfg["layer_norm_epsilon"]
    additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    positions = torch.arange(length)
    relative = positions[None, :] - positions[:, None]
    buckets = bucket(relative, cfg["relative_attention_num_buckets"], cfg["relative_attention_max_distance"])
    for i in range(cfg["num_layers"]):
        p = f"encoder.block.{i}.layer."
        x = rms_norm(h, w[p + "0.layer_norm.weight"], eps)

        def split(name):
            return (x @ w[p + f"0.SelfAttention.{name}.weight"].T).view(batch, length, heads, dk).transpose(1, 2)

        q, k, v = split("q"), split("k"), split("v")
        bias = torch.nn.functional.embedding(buckets, w[p + "0.SelfAttention.relative_attention_bias.weight"])
        bias = bias.permute(2, 0, 1)[None] + additive
        scores = q @ k.transpose(-1, -2) + bias
        attn = torch.softmax(scores.float(), dim=-1) @ v
        attn = attn.transpose(1, 2).reshape(batch, length, heads * dk)
        h = h + attn @ w[p + "0.SelfAttention.o.weight"].T
        x = rms_norm(h, w[p + "1.layer_norm.weight"], eps)
        gate = gelu_new(x @ w[p + "1.DenseReluDense.wi_0.weight"].T)
        lin = x @ w[p + "1.DenseReluDense.wi_1.weight"].T
        h = h + (gate * lin) @ w[p + "1.DenseReluDense.wo.weight"].T
    return rms_norm(h, w["encoder.final_layer_norm.weight"], eps)


def main():
    request = json.load(sys.stdin)
    cfg = json.load(open(os.path.join(request["folder"], "config.json")))
    weights = read_safetensors(os.path.join(request["folder"], "model.safetensors"))
    if "shared.weight" not in weights:
        weights["shared.weight"] = weights["encoder.embed_tokens.weight"]
    ids = torch.tensor(request["input_ids"], dtype=torch.long)
    mask = torch.tensor(request["attention_mask"], dtype=torch.long)
    with torch.no_grad():
        out = encode(cfg, weights, ids, mask)
    print(json.dumps({"shape": list(out.shape), "values": out.flatten().tolist()}))


main()
