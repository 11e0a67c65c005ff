# Integer weft.div truncates toward zero and never traps: x / 0 == 0 and
# INT_MIN / -1 == INT_MIN (numpy's integer `//` gives the same for these two
# cases). Before, i8/i32 division by 0 or of INT_MIN by -1 killed weft-run
# with SIGFPE and i64 x / 0 returned garbage. Checked against numpy for
# i8, i32 and i64, including a broadcast zero divisor.
# RUN: %PYTHON %s | FileCheck %s
# CHECK: int8 div: exact
# CHECK: int8 div by broadcast 0: exact
# CHECK: int32 div: exact
# CHECK: int32 div by broadcast 0: exact
# CHECK: int64 div: exact
# CHECK: int64 div by broadcast 0: exact
import sys

import numpy as np

from harness import compile_and_run


def trunc_div(a, b):
    """numpy reference: floor division (x // 0 == 0, MIN // -1 == MIN)
    corrected toward zero where the remainder is non-zero and the signs
    differ."""
    with np.errstate(all="ignore"):
        q = a // b
        r = a % b
    return (q + ((r != 0) & ((a < 0) != (b < 0)))).astype(a.dtype)


def exact(name, got, ref):
    assert got.dtype == ref.dtype, f"{name}: dtype {got.dtype} vs {ref.dtype}"
    bad = np.flatnonzero(got != ref)
    if bad.size:
        print(f"{name}: {bad.size} wrong, e.g. got {got.flat[bad[0]]} "
              f"want {ref.flat[bad[0]]} at {bad[0]}: FAIL")
        sys.exit(1)
    print(f"{name}: exact")


rng = np.random.default_rng(3)
for dtype, mlir_t in [(np.int8, "i8"), (np.int32, "i32"), (np.int64, "i64")]:
    info = np.iinfo(dtype)
    edge_a = np.array([info.min, info.min, info.min, info.max, info.max, 7, -7,
                       7, -7, 0, 0, 1, -1, info.min, 5, -5], dtype)
    edge_b = np.array([-1, 0, 1, -1, 0, 2, 2, -2, -2, 0, -1, 0, 0, 2, 0, 3],
                      dtype)
    n = 4096
    a = np.concatenate([edge_a, rng.integers(info.min, info.max, n - 16,
                                             dtype=dtype, endpoint=True)])
    b = np.concatenate([edge_b, rng.integers(-4, 4, n - 16, dtype=dtype,
                                             endpoint=True)])
    zero = np.zeros(1, dtype)
    out = compile_and_run(f"""
func.func @main(%a: tensor<{n}x{mlir_t}> {{weft.name = "a"}},
                %b: tensor<{n}x{mlir_t}> {{weft.name = "b"}},
                %z: tensor<1x{mlir_t}> {{weft.name = "z"}})
    -> (tensor<{n}x{mlir_t}> {{weft.name = "q"}}, tensor<{n}x{mlir_t}> {{weft.name = "q0"}}) {{
  %q = weft.div %a, %b : tensor<{n}x{mlir_t}>
  %q0 = weft.div %a, %z : tensor<{n}x{mlir_t}>, tensor<1x{mlir_t}>
  return %q, %q0 : tensor<{n}x{mlir_t}>, tensor<{n}x{mlir_t}>
}}""", {"a": a, "b": b, "z": zero})
    name = np.dtype(dtype).name
    exact(f"{name} div", out["q"], trunc_div(a, b))
    exact(f"{name} div by broadcast 0", out["q0"],
          trunc_div(a, np.broadcast_to(zero, a.shape)))
