#!/usr/bin/env bash
# The main job: set up (when needed), then compile the sample transformer
# block with weftc, run it with weft-run on the CPU, check it against numpy
# and print the median time per run next to numpy's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WEFT_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >&2
WEFT_BIN="$build/bin" exec "${PYTHON:-python3}" "$root/examples/transformer_block.py" "$@"
