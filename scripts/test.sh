#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the test suite.
#   scripts/test.sh          the default suite (everything not labelled `slow`)
#   scripts/test.sh --all    also the slow tests
#   scripts/test.sh -R regex extra arguments go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
select=(-LE slow)
if [[ "${1:-}" == "--all" ]]; then
  select=()
  shift
fi
ctest --test-dir "${PG_BUILD_DIR:-build}" "${select[@]}" --output-on-failure \
      -j "${PG_TEST_JOBS:-$(nproc)}" "$@"
