"""Reference forward pass of ACE-Step v1's transformer in PyTorch, written from the upstream semantics
(acestep/models/ace_step_transformer.py, attention.py, customer_attention_processor.py, lyric_encoder.py,
diffusers Timesteps/TimestepEmbedding/RMSNorm) in the op order upstream uses, as a functional over a state
dict. Used to check the C# port numerically (eval mode: no dropout).

usage: transformer_reference.py CHECKPOINT_FOLDER INPUTS.safetensors OUTPUT.safetensors"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F64": torch.float64, "I64": torch.int64}


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(raw[8 + n + b:8 + n + e]), dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).clone()
    return out


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in sorted(tensors.items()):
        blob = t.detach().contiguous().float().reshape(-1).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def rms(x, eps=1e-6):
    dtype = x.dtype
    var = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
    return (x * torch.rsqrt(var + eps)).to(dtype)


def linear(w, prefix, x):
    return F.linear(x, w[prefix + ".weight"], w.get(prefix + ".bias"))


def rope_tables(length, dim, theta, dtype):
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    t = torch.arange(length, dtype=torch.int64).type_as(inv)
    emb = torch.outer(t, inv)
    emb = torch.cat((emb, emb), dim=-1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rope(x, tables):
    cos, sin = tables[0][None, None], tables[1][None, None]
    re, im = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
    rot = torch.stack([-im, re], dim=-1).flatten(3)
    return (x.float() * cos + rot.float() * sin).to(x.dtype)


def linear_attention(w, p, x, mask, tables, heads):
    b = x.shape[0]
    q, k, v = linear(w, p + ".to_q", x), linear(w, p + ".to_k", x), linear(w, p + ".to_v", x)
    d = k.shape[-1] // heads
    q = q.transpose(-1, -2).reshape(b, heads, d, -1)
    k = k.transpose(-1, -2).reshape(b, heads, d, -1).transpose(-1, -2)
    v = v.transpose(-1, -2).reshape(b, heads, d, -1)
    q = rope(q.permute(0, 1, 3, 2), tables)
    k = rope(k, tables)
    q = q.permute(0, 1, 3, 2)
    m = mask[:, None, :, None].to(k.dtype)
    q = q * m.permute(0, 1, 3, 2)
    k = k * m
    v = v * m.permute(0, 1, 3, 2)
    q, k = F.relu(q).float(), F.relu(k).float()
    v = F.pad(v.float(), (0, 0, 0, 1), mode="constant", value=1.0)
    h = torch.matmul(torch.matmul(v, k), q)
    h = h[:, :, :-1] / (h[:, :, -1:] + 1e-15)
    h = h.view(b, heads * d, -1).permute(0, 2, 1).to(x.dtype)
    return linear(w, p + ".to_out.0", h)


def cross_attention(w, p, x, mask, cond, cond_mask, tables, cond_tables, heads):
    b = x.shape[0]
    q = linear(w, p + ".to_q", x)
    k, v = linear(w, p + ".to_k", cond), linear(w, p + ".to_v", cond)
    d = k.shape[-1] // heads
    q = rope(q.view(b, -1, heads, d).transpose(1, 2), tables)
    k = rope(k.view(b, -1, heads, d).transpose(1, 2), cond_tables)
    v = v.view(b, -1, heads, d).transpose(1, 2)
    combined = mask[:, :, None] * cond_mask[:, None, :]
    bias = torch.where(combined == 1, 0.0, -torch.inf)[:, None].expand(-1, heads, -1, -1).to(q.dtype)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d) + bias
    h = torch.softmax(scores, -1) @ v
    h = h.transpose(1, 2).reshape(b, -1, heads * d).to(q.dtype)
    return linear(w, p + ".to_out.0", h)


def glumbconv(w, p, x):
    x = x.transpose(1, 2)
    x = F.silu(F.conv1d(x, w[p + ".inverted_conv.conv.weight"], w[p + ".inverted_conv.conv.bias"]))
    x = F.conv1d(x, w[p + ".depth_conv.conv.weight"], w[p + ".depth_conv.conv.bias"], padding=1, groups=x.shape[1])
    x, gate = torch.chunk(x, 2, dim=1)
    x = x * F.silu(gate)
    return F.conv1d(x, w[p + ".point_conv.conv.weight"]).transpose(1, 2)


def block(w, p, x, mask, cond, cond_mask, temb, tables, cond_tables, heads):
    n = x.shape[0]
    sm, cm, gm, sf, cf, gf = (w[p + ".scale_shift_table"][None] + temb.reshape(n, 6, -1)).chunk(6, dim=1)
    a = linear_attention(w, p + ".attn", rms(x) * (1 + cm) + sm, mask, tables, heads)
    x = gm * a + x
    x = cross_attention(w, p + ".cross_attn", x, mask, cond, cond_mask, tables, cond_tables, heads) + x
    f = glumbconv(w, p + ".ff", rms(x) * (1 + cf) + sf)
    return x + gf * f


def rel_positions(length, d):
    # ESPnet: flipped positive part ++ negative part, sliced around the centre
    pos = torch.arange(0, length, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * -(math.log(10000.0) / d))
    pe_pos, pe_neg = torch.zeros(length, d), torch.zeros(length, d)
    pe_pos[:, 0::2], pe_pos[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
    pe_neg[:, 0::2], pe_neg[:, 1::2] = torch.sin(-1 * pos * div), torch.cos(-1 * pos * div)
    return torch.cat([torch.flip(pe_pos, [0]).unsqueeze(0), pe_neg[1:].unsqueeze(0)], dim=1)


def rel_shift(x):
    zero = torch.zeros((x.size(0), x.size(1), x.size(2), 1), dtype=x.dtype)
    padded = torch.cat([zero, x], dim=-1).view(x.size(0), x.size(1), x.size(3) + 1, x.size(2))
    return padded[:, :, 1:].view_as(x)[:, :, :, : x.size(-1) // 2 + 1]


def lyric_encoder(w, tokens, mask, c):
    p = "lyric_encoder"
    d, heads = c["lyric_encoder_output_size"], c["lyric_encoder_attention_heads"]
    x = F.embedding(tokens, w["lyric_embs.weight"])
    x = linear(w, p + ".embed.out.0", x)
    x = F.layer_norm(x, (d,), w[p + ".embed.out.1.weight"], w[p + ".embed.out.1.bias"], 1e-5)
    x = x * math.sqrt(d)
    pos = rel_positions(x.shape[1], d).to(x.dtype)
    key_mask = mask.to(torch.bool).unsqueeze(1)
    b, t = x.shape[:2]
    dk = d // heads
    for i in range(c["lyric_encoder_num_blocks"]):
        lp = f"{p}.encoders.{i}"
        h = F.layer_norm(x, (d,), w[lp + ".norm_mha.weight"], w[lp + ".norm_mha.bias"], 1e-5)
        a = lp + ".self_attn"
        q = linear(w, a + ".linear_q", h).view(b, -1, heads, dk)
        k = linear(w, a + ".linear_k", h).view(b, -1, heads, dk).transpose(1, 2)
        v = linear(w, a + ".linear_v", h).view(b, -1, heads, dk).transpose(1, 2)
        pp = linear(w, a + ".linear_pos", pos).view(1, -1, heads, dk).transpose(1, 2)
        ac = (q + w[a + ".pos_bias_u"]).transpose(1, 2) @ k.transpose(-2, -1)
        bd = (q + w[a + ".pos_bias_v"]).transpose(1, 2) @ pp.transpose(-2, -1)
        if ac.shape != bd.shape:
            bd = rel_shift(bd)
        scores = (ac + bd) / math.sqrt(dk)
        m = key_mask.unsqueeze(1).eq(0)
        attn = torch.softmax(scores.masked_fill(m, -float("inf")), dim=-1).masked_fill(m, 0.0)
        o = (attn @ v).transpose(1, 2).contiguous().view(b, -1, heads * dk)
        x = x + linear(w, a + ".linear_out", o)
        h = F.layer_norm(x, (d,), w[lp + ".norm_ff.weight"], w[lp + ".norm_ff.bias"], 1e-5)
        x = x + linear(w, lp + ".feed_forward.w_2", F.silu(linear(w, lp + ".feed_forward.w_1", h)))
    return F.layer_norm(x, (d,), w[p + ".after_norm.weight"], w[p + ".after_norm.bias"], 1e-5)


def timestep_features(t, channels=256):
    half = channels // 2
    exponent = -math.log(10000) * torch.arange(0, half, dtype=torch.float32) / half
    emb = t[:, None].float() * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    return torch.cat([emb[:, half:], emb[:, :half]], dim=-1)


def forward(w, c, i):
    heads = c["num_attention_heads"]
    head_dim = c["attention_head_dim"]
    latents = i["latents"]
    spk = linear(w, "speaker_embedder", i["speaker"]).unsqueeze(1)
    text = linear(w, "genre_embedder", i["text"])
    lyr = linear(w, "lyric_proj", lyric_encoder(w, i["lyric_tokens"], i["lyric_mask"], c))
    cond = torch.cat([spk, text, lyr], dim=1)
    cond_mask = torch.cat([torch.ones(latents.shape[0], 1), i["text_mask"], i["lyric_mask"]], dim=1)

    emb_t = timestep_features(i["timestep"]).to(latents.dtype)
    emb_t = linear(w, "timestep_embedder.linear_2", F.silu(linear(w, "timestep_embedder.linear_1", emb_t)))
    temb = linear(w, "t_block.1", F.silu(emb_t))
    patch = tuple(c["patch_size"])
    x = F.conv2d(latents, w["proj_in.early_conv_layers.0.weight"], w["proj_in.early_conv_layers.0.bias"], stride=patch)
    x = F.group_norm(x, 32, w["proj_in.early_conv_layers.1.weight"], w["proj_in.early_conv_layers.1.bias"], 1e-6)
    x = F.conv2d(x, w["proj_in.early_conv_layers.2.weight"], w["proj_in.early_conv_layers.2.bias"])
    x = x.flatten(2).transpose(1, 2)
    tables = rope_tables(x.shape[1], head_dim, c["rope_theta"], x.dtype)
    cond_tables = rope_tables(cond.shape[1], head_dim, c["rope_theta"], cond.dtype)
    for b in range(c["num_layers"]):
        x = block(w, f"transformer_blocks.{b}", x, i["attention_mask"], cond, cond_mask, temb, tables, cond_tables, heads)
    shift, scale = (w["final_layer.scale_shift_table"][None] + emb_t[:, None]).chunk(2, dim=1)
    x = linear(w, "final_layer.linear", rms(x) * (1 + scale) + shift)
    n, t = x.shape[:2]
    x = x.reshape(n, 1, t, patch[0], patch[1], c["out_channels"])
    x = torch.einsum("nhwpqc->nchpwq", x)
    return x.reshape(n, c["out_channels"], patch[0], t * patch[1]), cond


def main():
    folder, inputs_path, output_path = sys.argv[1:4]
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    weights = load_safetensors(os.path.join(folder, "diffusion_pytorch_model.safetensors"))
    inputs = load_safetensors(inputs_path)
    with torch.no_grad():
        output, cond = forward(weights, config, inputs)
    save_safetensors(output_path, {"output": output, "encoder_states": cond})


if __name__ == "__main__":
    main()
