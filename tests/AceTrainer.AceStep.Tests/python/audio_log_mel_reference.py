# Reference for LogMelSpectrogramTests, written from the description of ACE-Step's music_log_mel.py:
# reflect pad (win-hop)/2 (+1 on the right when odd), torch.stft without centering and a periodic Hann window,
# sqrt(re^2 + im^2 + 1e-6), torchaudio's Slaney mel filters, log(clamp(x, 1e-5)).
# usage: audio_log_mel_reference.py IN.f32 OUT.f32 ROWS [FBANK.f32]
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torchaudio.functional import melscale_fbanks

SR, N_FFT, WIN, HOP, N_MELS, F_MIN, F_MAX = 44100, 2048, 2048, 512, 128, 40.0, 16000.0

source, target, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
wave = torch.from_numpy(np.fromfile(source, dtype="<f4").reshape(rows, -1).copy())
left, right = (WIN - HOP) // 2, (WIN - HOP + 1) // 2
padded = F.pad(wave.unsqueeze(1), (left, right), mode="reflect").squeeze(1)
spec = torch.stft(padded, N_FFT, hop_length=HOP, win_length=WIN, window=torch.hann_window(WIN),
                  center=False, normalized=False, onesided=True, return_complex=True)
magnitude = torch.sqrt(torch.view_as_real(spec).pow(2).sum(-1) + 1e-6)
bank = melscale_fbanks(N_FFT // 2 + 1, F_MIN, F_MAX, N_MELS, SR, norm="slaney", mel_scale="slaney")
mel = torch.matmul(magnitude.transpose(-1, -2), bank).transpose(-1, -2)
log_mel = torch.log(torch.clamp(mel, min=1e-5))
log_mel.numpy().astype("<f4").tofile(target)
if len(sys.argv) > 4:
    bank.numpy().astype("<f4").tofile(sys.argv[4])
print(log_mel.shape[-1])
