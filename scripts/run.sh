#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs the main job: the
# two-party demo (server and client in one process over loopback TCP, on the bundled
# Fashion-MNIST model). Extra arguments go to `pangolin demo` (e.g. --json, --images N).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
bin="${PG_BUILD_DIR:-build}/bin/pangolin"
"$bin" --version
"$bin" demo "$@"
