#!/usr/bin/env bash
# Configures (once) and builds incrementally into build/ (or $PG_BUILD_DIR).
# CI=true turns on -Werror. Extra arguments go to cmake at configure time, e.g.
#   PG_BUILD_DIR=build-asan scripts/build.sh -DPG_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${PG_BUILD_DIR:-build}"
werror=OFF
if [[ "${CI:-}" == "true" ]]; then werror=ON; fi
if [[ ! -f "$build_dir/build.ninja" || $# -gt 0 ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DPG_WERROR="$werror" "$@" >/dev/null
fi
jobs="${PG_JOBS:-$(nproc)}"
cmake --build "$build_dir" -j "$jobs"
