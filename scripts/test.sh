#!/usr/bin/env bash
# Sets up (when needed), builds, and runs every weft test: the lit suite
# (`check-weft`) and the generated-docs target. Exits non-zero on any failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WEFT_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
echo "[weft test] generated docs"
cmake --build "$build" --target weft-doc
echo "[weft test] runtime builds on its own, with no LLVM/MLIR in sight"
rt="$build/runtime-standalone"
cmake -S "$root/runtime" -B "$rt" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  > /dev/null
cmake --build "$rt" --target weft_runtime weft-run
if grep -E "llvm-22|libMLIR|libLLVM|include/mlir" "$rt/compile_commands.json" "$rt/build.ninja"; then
  echo "[weft test] FAIL: the standalone runtime build mentions LLVM/MLIR" >&2
  exit 1
fi
echo "[weft test] lit suite"
cmake --build "$build" --target check-weft
echo "[weft test] Python package (pytest, on the pip-installed package)"
cd "$build"   # so `import weft` finds the installed package, not python/
WEFT_BIN="$build/bin" "${PYTHON:-python3}" -m pytest "$root/python/tests" -q -rs
