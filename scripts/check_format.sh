#!/usr/bin/env bash
# Fails if any C++ source differs from what clang-format (.clang-format) would write.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.c' '*.cc')
if [[ ${#files[@]} -eq 0 ]]; then exit 0; fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "format: run 'clang-format -i' on the files above (scripts/format.sh)" >&2
  exit 1
fi
echo "format: ${#files[@]} files clean"
