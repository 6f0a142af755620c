#!/usr/bin/env bash
# Installs the Debian 12 packages Pangolin needs: only the missing ones, so a second run does
# nothing. This is the only place that installs packages.
#   scripts/setup.sh           build, test and demo dependencies
#   scripts/setup.sh --tools   also the model-training and plotting tools (tools/)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libsodium-dev
  libprotobuf-dev protobuf-compiler libonnx-dev
  zlib1g-dev libgmp-dev libopenblas-dev libpng-dev
  clang clang-format clang-tidy libclang-rt-14-dev
  dataset-fashion-mnist
)
if [[ "${1:-}" == "--tools" ]]; then
  packages+=(python3 python3-torch python3-torchvision python3-onnx python3-numpy gnuplot-nox)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
