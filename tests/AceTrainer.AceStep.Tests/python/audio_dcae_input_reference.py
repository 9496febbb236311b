# Reference for MusicDcaeTests: the DCAE encoder's input as ACE-Step's MusicDCAE.encode prepares it — torchaudio
# Resample(48000, 44100), zero padding to a multiple of 4096 samples, the vocoder's log-mel (see
# audio_log_mel_reference.py), then (mel + 11) / 14 normalised with mean 0.5, std 0.5.
# usage: audio_dcae_input_reference.py IN.f32 OUT.f32 BATCH
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio
from torchaudio.functional import melscale_fbanks

source, target, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
audio = torch.from_numpy(np.fromfile(source, dtype="<f4").reshape(batch, 2, -1).copy())
audio = torchaudio.transforms.Resample(48000, 44100)(audio)
if audio.shape[-1] % 4096:
    audio = F.pad(audio, (0, 4096 - audio.shape[-1] % 4096))
rows = audio.reshape(-1, audio.shape[-1])
padded = F.pad(rows.unsqueeze(1), (768, 768), mode="reflect").squeeze(1)
spec = torch.stft(padded, 2048, hop_length=512, win_length=2048, window=torch.hann_window(2048),
                  center=False, normalized=False, onesided=True, return_complex=True)
magnitude = torch.sqrt(torch.view_as_real(spec).pow(2).sum(-1) + 1e-6)
bank = melscale_fbanks(1025, 40.0, 16000.0, 128, 44100, norm="slaney", mel_scale="slaney")
mel = torch.log(torch.clamp(torch.matmul(magnitude.transpose(-1, -2), bank).transpose(-1, -2), min=1e-5))
mel = mel.reshape(batch, 2, 128, -1)
normalised = ((mel + 11.0) / 14.0 - 0.5) / 0.5
normalised.numpy().astype("<f4").tofile(target)
print(normalised.shape[-1])
