"""Writes name<TAB>shape of the official ACE-Step v1 transformer state dict, derived independently of the
C# port: a weightless (meta) mirror of the module tree of acestep/models/ace_step_transformer.py,
attention.py, customer_attention_processor.py (diffusers Attention), lyric_encoder.py, built from torch.nn
layers so parameter names and bias flags come from PyTorch itself.

usage: transformer_manifest.py CONFIG_JSON OUTPUT_TSV"""
import json
import sys

import torch
from torch import nn

META = dict(device="meta")


def linear(i, o, bias=True):
    return nn.Linear(i, o, bias=bias, **META)


def diffusers_attention(dim, heads, head_dim, cross_dim=None, added_kv_dim=None, context_pre_only=None):
    # diffusers.models.attention_processor.Attention, bias=True, out_bias=True, added_proj_bias=True, no norms
    m = nn.Module()
    inner = heads * head_dim
    kv_in = cross_dim if cross_dim is not None else dim
    m.to_q = linear(dim, inner)
    m.to_k = linear(kv_in, inner)
    m.to_v = linear(kv_in, inner)
    if added_kv_dim is not None:
        m.add_k_proj = linear(added_kv_dim, inner)
        m.add_v_proj = linear(added_kv_dim, inner)
        if context_pre_only is not None:
            m.add_q_proj = linear(added_kv_dim, inner)
    m.to_out = nn.ModuleList([linear(inner, dim), nn.Dropout(0.0)])
    if context_pre_only is not None and not context_pre_only:
        m.to_add_out = linear(inner, dim)
    return m


def conv_layer(i, o, k, groups=1, bias=False):
    m = nn.Module()
    m.conv = nn.Conv1d(i, o, k, padding=k // 2, groups=groups, bias=bias, **META)
    return m


def block(dim, heads, head_dim, mlp_ratio):
    m = nn.Module()
    # norm1/norm2: RMSNorm without affine (no parameters)
    m.attn = diffusers_attention(dim, heads, head_dim)
    m.cross_attn = diffusers_attention(dim, heads, head_dim, cross_dim=dim, added_kv_dim=dim, context_pre_only=False)
    hidden = int(dim * mlp_ratio)
    ff = nn.Module()
    ff.inverted_conv = conv_layer(dim, hidden * 2, 1, bias=True)
    ff.depth_conv = conv_layer(hidden * 2, hidden * 2, 3, groups=hidden * 2, bias=True)
    ff.point_conv = conv_layer(hidden, dim, 1, bias=False)
    m.ff = ff
    m.scale_shift_table = nn.Parameter(torch.empty(6, dim, **META))
    return m


def conformer(input_size, output_size=1024, heads=16, linear_units=4096, blocks=6):
    m = nn.Module()
    embed = nn.Module()
    embed.out = nn.Sequential(linear(input_size, output_size), nn.LayerNorm(output_size, **META), nn.Dropout(0.1))
    m.embed = embed  # the relative positional encoding keeps its table in a plain attribute
    m.after_norm = nn.LayerNorm(output_size, **META)
    layers = []
    for _ in range(blocks):
        layer = nn.Module()
        attn = nn.Module()
        attn.linear_q = linear(output_size, output_size)
        attn.linear_k = linear(output_size, output_size)
        attn.linear_v = linear(output_size, output_size)
        attn.linear_out = linear(output_size, output_size)
        attn.linear_pos = linear(output_size, output_size, bias=False)
        attn.pos_bias_u = nn.Parameter(torch.empty(heads, output_size // heads, **META))
        attn.pos_bias_v = nn.Parameter(torch.empty(heads, output_size // heads, **META))
        layer.self_attn = attn
        ffn = nn.Module()
        ffn.w_1 = linear(output_size, linear_units)
        ffn.w_2 = linear(linear_units, output_size)
        layer.feed_forward = ffn
        layer.norm_ff = nn.LayerNorm(output_size, **META)
        layer.norm_mha = nn.LayerNorm(output_size, **META)
        layers.append(layer)
    m.encoders = nn.ModuleList(layers)
    return m


def model(c):
    m = nn.Module()
    dim = c["num_attention_heads"] * c["attention_head_dim"]
    m.transformer_blocks = nn.ModuleList(
        [block(dim, c["num_attention_heads"], c["attention_head_dim"], c["mlp_ratio"]) for _ in range(c["num_layers"])])
    te = nn.Module()
    te.linear_1 = linear(256, dim)
    te.linear_2 = linear(dim, dim)
    m.timestep_embedder = te
    m.t_block = nn.Sequential(nn.SiLU(), linear(dim, 6 * dim))
    m.speaker_embedder = linear(c["speaker_embedding_dim"], dim)
    m.genre_embedder = linear(c["text_embedding_dim"], dim)
    m.lyric_embs = nn.Embedding(c["lyric_encoder_vocab_size"], c["lyric_hidden_size"], **META)
    m.lyric_encoder = conformer(c["lyric_hidden_size"])
    m.lyric_proj = linear(c["lyric_hidden_size"], dim)
    m.projectors = nn.ModuleList([
        nn.Sequential(linear(dim, 2 * dim), nn.SiLU(), linear(2 * dim, 2 * dim), nn.SiLU(), linear(2 * dim, s))
        for s in c["ssl_latent_dims"]])
    patch = tuple(c["patch_size"])
    pe = nn.Module()
    inc = c["in_channels"]
    pe.early_conv_layers = nn.Sequential(
        nn.Conv2d(inc, inc * 256, kernel_size=patch, stride=patch, **META),
        nn.GroupNorm(32, inc * 256, eps=1e-6, **META),
        nn.Conv2d(inc * 256, dim, kernel_size=1, **META))
    m.proj_in = pe
    fl = nn.Module()
    fl.linear = linear(dim, patch[0] * patch[1] * c["out_channels"])
    fl.scale_shift_table = nn.Parameter(torch.empty(2, dim, **META))
    m.final_layer = fl
    return m


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    state = model(config).state_dict()
    with open(sys.argv[2], "w") as out:
        for name in sorted(state):
            out.write(f"{name}\t{','.join(str(d) for d in state[name].shape)}\n")
    print(sum(t.numel() for t in state.values()))


if __name__ == "__main__":
    main()
