# Reference for ResamplerTests: torchaudio.transforms.Resample with its defaults.
# usage: audio_resample_reference.py IN.f32 OUT.f32 ROWS FROM TO
import sys

import numpy as np
import torch
import torchaudio

source, target, rows, rate_in, rate_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
wave = torch.from_numpy(np.fromfile(source, dtype="<f4").reshape(rows, -1).copy())
out = torchaudio.transforms.Resample(rate_in, rate_out)(wave)
out.numpy().astype("<f4").tofile(target)
print(out.shape[-1])
