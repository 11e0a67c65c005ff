#!/usr/bin/env bash
# The main job: set up (when needed), then
#  1. compile a GPT-style stack for a 2x2 device mesh with automatic
#     sharding, print the plan, run it as 4 MPI ranks (and 4 local devices),
#     check it against the single-device run and numpy, and time both;
#  2. train a tiny transformer classifier with weft.compile_train (AdamW) on
#     one device and data-parallel on 4 (in-process, then the saved artifact
#     as 4 MPI ranks), check the loss curves agree with each other and with
#     numpy, and time a step;
#  3. compile the sample transformer block, run it on one CPU device, check
#     it against numpy and print the median time per run next to numpy's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WEFT_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >&2
export WEFT_BIN="$build/bin"
"${PYTHON:-python3}" "$root/examples/gpt_mesh.py"
echo
"${PYTHON:-python3}" "$root/examples/train.py"
echo
exec "${PYTHON:-python3}" "$root/examples/transformer_block.py" "$@"
