#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over the library sources, using build/compile_commands.json.
#   scripts/tidy.sh [src/core ...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
dirs=("${@:-src}")
mapfile -t files < <(git ls-files "${dirs[@]/%//*.cpp}")
clang-tidy -p "${PG_BUILD_DIR:-build}" --quiet "${files[@]}"
