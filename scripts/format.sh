#!/usr/bin/env bash
# Rewrites every tracked C++ source with clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cpp' '*.h' '*.c' '*.cc' | xargs -r clang-format -i
