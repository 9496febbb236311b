# Makes the DCAE encoder fixtures under TestData/ from diffusers' own source (not run by the tests; needs a
# diffusers checkout, not an installed package). It loads the encoder classes out of the checkout's files,
# builds the f8c8 encoder to list its parameter names and shapes, and runs a tiny encoder with random weights.
#
#   git -C /work/.mirror/huggingface+diffusers/repo worktree add /tmp/diffusers HEAD   (or any checkout)
#   /usr/bin/python3 audio_make_dcae_reference.py /tmp/diffusers ../TestData
import ast
import json
import numbers
import struct
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

root, out = Path(sys.argv[1]) / "src" / "diffusers" / "models", Path(sys.argv[2])
WANTED = {
    "autoencoders/autoencoder_dc.py": ["ResBlock", "EfficientViTBlock", "get_block", "DCDownBlock2d", "Encoder"],
    "attention_processor.py": ["SanaMultiscaleAttentionProjection", "SanaMultiscaleLinearAttention", "SanaMultiscaleAttnProcessor2_0"],
    "transformers/sana_transformer.py": ["GLUMBConv"],
    "normalization.py": ["RMSNorm", "get_normalization"],
}
ACTIVATIONS = {"silu": nn.SiLU, "relu": nn.ReLU, "relu6": nn.ReLU6}
namespace = {"torch": torch, "nn": nn, "F": F, "numbers": numbers, "is_torch_npu_available": lambda: False,
             "get_activation": lambda name: ACTIVATIONS[name](), "Tuple": tuple, "Optional": None, "Union": None}
for file, names in WANTED.items():
    text = (root / file).read_text()
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in names:
            source = ast.get_source_segment(text, node).replace("from .normalization import get_normalization", "pass")
            exec(compile(source, f"{file}:{node.name}", "exec"), namespace)
Encoder = namespace["Encoder"]


def encoder(config):
    return Encoder(in_channels=config["in_channels"], latent_channels=config["latent_channels"],
                   attention_head_dim=config["attention_head_dim"], block_type=config["encoder_block_types"],
                   block_out_channels=config["encoder_block_out_channels"], layers_per_block=config["encoder_layers_per_block"],
                   qkv_multiscales=config["encoder_qkv_multiscales"], downsample_block_type=config["downsample_block_type"])


F8C8 = {"in_channels": 2, "latent_channels": 8, "attention_head_dim": 32,
        "encoder_block_types": ["ResBlock", "ResBlock", "ResBlock", "EfficientViTBlock"],
        "encoder_block_out_channels": [128, 256, 512, 1024], "encoder_layers_per_block": [2, 2, 3, 3],
        "encoder_qkv_multiscales": [[], [], [5], [5]], "downsample_block_type": "Conv"}
full = encoder(F8C8)
with open(out / "audio_dcae_f8c8_encoder_manifest.txt", "w") as manifest:
    for name, tensor in full.state_dict().items():
        manifest.write(f"encoder.{name}\t{','.join(map(str, tensor.shape))}\n")
del full

TINY = dict(F8C8, attention_head_dim=16, encoder_block_out_channels=[8, 16, 16, 32], encoder_layers_per_block=[1, 1, 1, 2])
(out / "audio_dcae_tiny_config.json").write_text(json.dumps(dict(TINY, _class_name="AutoencoderDC"), indent=2) + "\n")
torch.manual_seed(1234)
tiny = encoder(TINY).eval()
with torch.no_grad():
    for name, p in tiny.named_parameters():
        p.copy_(1.0 + 0.1 * torch.randn_like(p) if name.endswith("norm.weight") or name.endswith("norm_out.weight") else 0.2 * torch.randn_like(p))
tensors = {f"encoder.{k}": v.contiguous() for k, v in tiny.state_dict().items()}
with torch.no_grad():
    for label, frames in (("linear", 24), ("quadratic", 8)):
        x = torch.randn(2, 2, 128, frames)
        tensors[f"input.{label}"] = x
        tensors[f"output.{label}"] = tiny(x).contiguous()

header, blobs, offset = {}, [], 0
for key, t in tensors.items():
    data = t.float().numpy().astype("<f4").tobytes()
    header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
encoded = json.dumps(header).encode()
encoded += b" " * (-len(encoded) % 8)
with open(out / "audio_dcae_tiny_reference.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))
print(len(tensors), "tensors")
