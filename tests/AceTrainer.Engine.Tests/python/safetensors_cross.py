"""Cross-checks safetensors files with the C# engine.

usage: safetensors_cross.py read-then-write in.safetensors out.safetensors
Reads the file C# wrote (checking it parses with this reader), and writes the same tensors and
metadata back with this writer, so C# can compare bytes and values.
"""
import sys

from safetensors_io import load, save

_, src, dst = sys.argv[1:4]
tensors, metadata = load(src)
save(dst, tensors, metadata)
print(len(tensors))
