# The README's transformer block (examples/transformer_block.mlir) against
# numpy: embedding, layer norm, 4-head attention, GELU MLP, residuals. The
# inputs and the float64 numpy reference come from the example's script.
# RUN: %PYTHON %s %S/../../examples/transformer_block.mlir
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))

from harness import check, compile_and_run  # noqa: E402
from transformer_block import make_inputs, reference  # noqa: E402

args = make_inputs()
ref = reference(args)
for flags, tag in [((), "blas gemm"), (("--no-blas",), "generated gemm")]:
    out = compile_and_run(open(sys.argv[1]).read(), args, flags)
    check(f"transformer block ({tag})", out["out0"], ref)
