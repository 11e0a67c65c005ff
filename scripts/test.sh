#!/usr/bin/env bash
# Sets up (when needed), builds, and runs every weft test: the lit suite
# (`check-weft`) and the generated-docs target. Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WEFT_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
echo "[weft test] generated docs"
cmake --build "$build" --target weft-doc
echo "[weft test] lit suite"
cmake --build "$build" --target check-weft
