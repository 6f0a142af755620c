#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
bin="${PG_BUILD_DIR:-build}/bin/pangolin"
"$bin" --version
"$bin" selfcheck
"$bin" inspect models/minionn.onnx
