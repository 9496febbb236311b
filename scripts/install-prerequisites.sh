#!/usr/bin/env bash
# Installs what AceTrainer needs on a fresh Debian 12 machine that has the .NET 10 SDK and Node 20.
# Idempotent and quick when everything is already there: only missing pieces are installed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;36m[prereqs]\033[0m %s\n' "$*"; }

# Debian packages: command or file that proves each is present -> package name.
declare -A apt_needs=(
  [/usr/bin/redis-server]=redis-server
  [/usr/bin/redis-benchmark]=redis-tools
  [/usr/bin/ffmpeg]=ffmpeg
  [/usr/bin/chromium]=chromium
  [/usr/bin/curl]=curl
  [/usr/include/torch/csrc/api/include/torch/torch.h]=libtorch-dev
  [/usr/bin/cmake]=cmake
  [/usr/bin/g++]=g++
  [/usr/bin/ninja]=ninja-build
  [/usr/lib/python3/dist-packages/torch/__init__.py]=python3-torch
  # reference checks of the ACE-Step ports (resampler and mel, SentencePiece, English number words)
  [/usr/lib/python3/dist-packages/torchaudio/__init__.py]=python3-torchaudio
  [/usr/lib/python3/dist-packages/sentencepiece/__init__.py]=python3-sentencepiece
  [/usr/lib/python3/dist-packages/num2words/__init__.py]=python3-num2words
)
missing=()
for probe in "${!apt_needs[@]}"; do
  [ -e "$probe" ] || missing+=("${apt_needs[$probe]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node tools (Azurite) at the repository root; the portal's front-end libraries are restored by its build.
if [ ! -x node_modules/.bin/azurite-blob ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (azurite)"
  npm install --no-audit --no-fund --loglevel=error
fi
