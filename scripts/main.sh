#!/usr/bin/env bash
# The main job (for now): set up, then compile the sample transformer block
# through every weft pass that exists today, verifying the IR at each step.
# Later issues replace this with the full weftc -> weft-run job.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WEFT_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >&2
model="${1:-$root/examples/transformer_block.mlir}"
out="$build/$(basename "${model%.mlir}").opt.mlir"
"$build/bin/weft-opt" "$model" --canonicalize --cse -o "$out"
echo "[weft main] $model: verified, canonicalized -> $out"
echo "[weft main] ops per kind:"
grep -oE '(weft|dist|plan)\.[a-z_0-9]+' "$out" | sort | uniq -c | sort -rn
