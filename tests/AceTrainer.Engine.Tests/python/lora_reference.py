"""Applies a LoRA adapter the way PEFT's Linear layer does, on the reference model of module_reference.py.

usage: lora_reference.py base.safetensors adapter.safetensors out.safetensors
base holds "model.*" weights and "tokens"; out receives "output" (model output with the adapter active).
"""
import json
import math
import sys

import torch

from module_reference import Model
from safetensors_io import load, save

base, _ = load(sys.argv[1])
adapter, metadata = load(sys.argv[2])
config = json.loads(metadata["lora_adapter_metadata"])
scale = config["lora_alpha"] / (math.sqrt(config["r"]) if config["use_rslora"] else config["r"])

model = Model()
model.load_state_dict({k[len("model."):]: v for k, v in base.items() if k.startswith("model.")})
modules = dict(model.named_modules())
for key in adapter:
    if not key.endswith(".lora_A.weight"):
        continue
    name = key[: -len(".lora_A.weight")]
    layer = modules[name]  # KeyError: the adapter names a layer the model does not have
    a, b = adapter[key], adapter[name + ".lora_B.weight"]

    def forward(x, layer=layer, a=a, b=b, plain=layer.forward):
        return plain(x) + (x @ a.t() @ b.t()) * scale

    layer.forward = forward

with torch.no_grad():
    out = model(base["tokens"])
save(sys.argv[3], {"output": out}, {"source": "lora_reference.py"})
