"""Applies an adapter file the way ACE-Step's pipeline (diffusers + PEFT) and ComfyUI do, on the reference model.

usage: lora_compat.py base.safetensors adapter.safetensors out.safetensors
base holds "model.*" weights and "tokens". out receives one output per loader that accepted the file, and the
metadata entry "report" (JSON: per loader the scale it applied, the layers it patched, keys it ignored, or its error).

Own code re-stating the rules read in the upstream sources (no code copied):
- ACE-Step acestep/pipeline_ace_step.py, ACEStepPipeline.load_lora: transformer.load_lora_adapter(<folder>/
  pytorch_lora_weights.safetensors, adapter_name="ace_step_lora", with_alpha=True, prefix=None), then
  diffusers.utils.peft_utils.set_weights_and_activate_adapters(transformer, ["ace_step_lora"], [lora_weight]).
- diffusers src/diffusers/loaders/peft.py, PeftAdapterMixin.load_lora_adapter (v0.33.1 to v0.39.0): there is no
  `with_alpha` parameter (it stays unused in **kwargs). loaders/lora_base.py, _fetch_state_dict: with a file path and
  neither weight_name nor use_safetensors, the safetensors branch is skipped and models/model_loading_utils.py
  load_state_dict reads the tensors only, so metadata is None (v0.34+ too). utils/peft_utils.py, get_peft_kwargs:
  r = lora_B.shape[1] (most common), lora_alpha = r when no network alphas, target_modules = each key before
  ".lora", no use_rslora (False).
- diffusers >= 0.34 when it does read the metadata (a folder, or weight_name="...safetensors"):
  utils/state_dict_utils.py _load_sft_state_dict_metadata = json of "lora_adapter_metadata"; utils/peft_utils.py
  _create_lora_config uses it as LoraConfig kwargs after _maybe_raise_error_for_ambiguous_keys, which reads
  config["rank_pattern"] (KeyError when the entry is absent).
- PEFT src/peft/tuners/tuners_utils.py check_target_module_exists (a target is the full name or a ".suffix");
  utils/save_and_load.py _insert_adapter_name_into_state_dict; tuners/lora/layer.py LoraLayer.update_layer
  (scaling = alpha/sqrt(r) with rsLoRA, else alpha/r), LoraLayer.set_scale (before v0.18: weight*alpha/r, rsLoRA
  ignored; from v0.18, commit "Account for rsLoRA scaling in set_scale": rsLoRA aware), Linear.forward
  (result + lora_B(lora_A(x)) * scaling).
- ComfyUI comfy/lora.py model_lora_keys_unet (every model key "diffusion_model.<m>.weight" is reachable as
  "lora_unet_<m with _>", "diffusion_model.<m>", and for model_base.ACEStep as the bare "<m>"), load_lora
  ("<m>.alpha" if present, else None); comfy/weight_adapter/lora.py LoRAAdapter.load ("<m>.lora_B.weight" is up,
  "<m>.lora_A.weight" is down) and calculate_weight (scale = alpha / rank, or 1.0 without alpha;
  W += strength * scale * up @ down). nodes.py LoraLoader reads tensors only (comfy.utils.load_torch_file).
"""
import json
import math
import sys

import torch

from module_reference import Model
from safetensors_io import load, save

ADAPTER = "ace_step_lora"


def fresh_model(base):
    model = Model()
    model.load_state_dict({k[len("model."):]: v for k, v in base.items() if k.startswith("model.")})
    return model


def peft_targets(model, target_modules):
    def targeted(name):
        return name in target_modules or any(name.endswith("." + t) for t in target_modules)
    return [name for name, module in model.named_modules() if name and targeted(name)
            and isinstance(module, torch.nn.Linear)]


def peft_apply(model, state, config, weight, set_scale_knows_rslora):
    """PEFT inject + set_peft_model_state_dict + set_weights_and_activate_adapters(weight)."""
    if "rank_pattern" not in config:
        raise KeyError("rank_pattern")
    r, alpha = config["r"], config["lora_alpha"]
    rslora = bool(config.get("use_rslora", False))
    if rslora and set_scale_knows_rslora:
        scaling = weight * alpha / math.sqrt(r)
    else:
        scaling = weight * alpha / r
    targets = peft_targets(model, list(config["target_modules"]))
    if not targets:
        raise ValueError("Target modules not found in the base model")
    named = {k.replace(".lora_A.", f".lora_A.{ADAPTER}.").replace(".lora_B.", f".lora_B.{ADAPTER}."): v
             for k, v in state.items() if "lora_" in k}
    modules = dict(model.named_modules())
    missing = []
    for name in targets:
        a_key, b_key = f"{name}.lora_A.{ADAPTER}.weight", f"{name}.lora_B.{ADAPTER}.weight"
        if a_key not in named or b_key not in named:
            missing.append(name)
            continue
        patch_forward(modules[name], named.pop(a_key), named.pop(b_key), scaling)
    return {"scale": scaling, "patched": len(targets) - len(missing), "missing": missing,
            "unexpected": sorted(named), "use_rslora": rslora, "lora_alpha": alpha, "r": r}


def patch_forward(layer, a, b, scaling):
    plain = layer.forward

    def forward(x):
        return plain(x) + (x @ a.t() @ b.t()) * scaling
    layer.forward = forward


def ace_step(model, state, _metadata):
    ranks = [v.shape[1] for k, v in state.items() if "lora_B" in k and v.ndim > 1]
    r = max(set(ranks), key=ranks.count)
    config = {"r": r, "lora_alpha": r, "rank_pattern": {}, "alpha_pattern": {},
              "target_modules": sorted({k.split(".lora")[0] for k in state})}
    return peft_apply(model, state, config, 1.0, set_scale_knows_rslora=True)


def diffusers_with_metadata(knows_rslora):
    def run(model, state, metadata):
        config = json.loads(metadata["lora_adapter_metadata"])
        return peft_apply(model, state, config, 1.0, set_scale_knows_rslora=knows_rslora)
    return run


def comfyui(model, state, _metadata, strength=1.0):
    key_map = {}
    for key in model.state_dict():
        if key.endswith(".weight"):
            module = key[: -len(".weight")]
            full = "diffusion_model." + key
            key_map["lora_unet_" + module.replace(".", "_")] = full
            key_map["diffusion_model." + module] = full
            key_map[module] = full
    loaded, patched, scales = set(), 0, set()
    params = dict(model.named_parameters())
    for lora_name, target in key_map.items():
        up_key, down_key = f"{lora_name}.lora_B.weight", f"{lora_name}.lora_A.weight"
        if up_key not in state:
            continue
        alpha_key = f"{lora_name}.alpha"
        up, down = state[up_key].float(), state[down_key].float()
        scale = state[alpha_key].item() / down.shape[0] if alpha_key in state else 1.0
        loaded.update({up_key, down_key} | ({alpha_key} if alpha_key in state else set()))
        weight = params[target[len("diffusion_model."):]]
        with torch.no_grad():
            weight += (strength * scale * (up @ down)).to(weight.dtype)
        patched += 1
        scales.add(scale)
    return {"scale": sorted(scales), "patched": patched, "not_loaded": sorted(set(state) - loaded)}


LOADERS = {
    "ace_step": ace_step,
    "diffusers_metadata_peft_before_0_18": diffusers_with_metadata(False),
    "diffusers_metadata_peft_0_18": diffusers_with_metadata(True),
    "comfyui": comfyui,
}

base, _ = load(sys.argv[1])
adapter, metadata = load(sys.argv[2])
outputs, report = {}, {}
for name, loader in LOADERS.items():
    model = fresh_model(base)
    try:
        report[name] = loader(model, adapter, metadata)
    except (KeyError, ValueError) as error:
        report[name] = {"error": f"{type(error).__name__}: {error}"}
        continue
    with torch.no_grad():
        outputs[name] = model(base["tokens"])
save(sys.argv[3], outputs, {"report": json.dumps(report)})
