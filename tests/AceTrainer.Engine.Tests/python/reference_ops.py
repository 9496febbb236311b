"""Evaluates operator cases in PyTorch for the C# engine's reference tests.

usage: reference_ops.py cases.json inputs.safetensors outputs.safetensors
Each case: {"name", "expr", "inputs": [...], "grads": [...], "cotangent": name or null}.
Inputs named in "grads" get requires_grad; the loss (out * cotangent).sum() is back-propagated.
Outputs are stored as "<case>/out<k>" and "<case>/grad/<input>".
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

from safetensors_io import load, save


def main(cases_path, inputs_path, outputs_path):
    torch.set_num_threads(1)
    cases = json.load(open(cases_path))
    inputs, _ = load(inputs_path)
    results = {}
    for case in cases:
        env = {}
        for name in case["inputs"]:
            t = inputs[case["name"] + "/" + name].clone()
            if name in case["grads"]:
                t.requires_grad_(True)
            env[name] = t
        out = eval(case["expr"], {"torch": torch, "F": F, "math": math}, env)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        for k, o in enumerate(outs):
            results[f"{case['name']}/out{k}"] = o.detach()
        if case["grads"]:
            cot = inputs[case["name"] + "/" + case["cotangent"]]
            (outs[0] * cot).sum().backward()
            for name in case["grads"]:
                results[f"{case['name']}/grad/{name}"] = env[name].grad
    save(outputs_path, results)


if __name__ == "__main__":
    main(*sys.argv[1:4])
