# An MLP (3 Linear + GELU) against numpy, with the BLAS GEMM and with the
# generated GEMM kernels.
# RUN: %PYTHON %s
import numpy as np

from harness import check, compile_and_run, gelu, linear_weights

B, D0, D1, D2, D3 = 16, 64, 128, 96, 10
rng = np.random.default_rng(1234)
x = rng.standard_normal((B, D0)).astype(np.float32)
(w1, b1), (w2, b2), (w3, b3) = (linear_weights(rng, a, b) for a, b in
                                [(D0, D1), (D1, D2), (D2, D3)])

mlir = f"""
func.func @main(%x: tensor<{B}x{D0}xf32> {{weft.name = "x"}},
                %w1: tensor<{D0}x{D1}xf32> {{weft.name = "w1"}}, %b1: tensor<{D1}xf32> {{weft.name = "b1"}},
                %w2: tensor<{D1}x{D2}xf32> {{weft.name = "w2"}}, %b2: tensor<{D2}xf32> {{weft.name = "b2"}},
                %w3: tensor<{D2}x{D3}xf32> {{weft.name = "w3"}}, %b3: tensor<{D3}xf32> {{weft.name = "b3"}})
    -> (tensor<{B}x{D3}xf32> {{weft.name = "logits"}}) {{
  %h1 = weft.matmul %x, %w1 : tensor<{B}x{D0}xf32>, tensor<{D0}x{D1}xf32> -> tensor<{B}x{D1}xf32>
  %a1 = weft.add %h1, %b1 : tensor<{B}x{D1}xf32>, tensor<{D1}xf32>
  %g1 = weft.gelu %a1 : tensor<{B}x{D1}xf32>
  %h2 = weft.matmul %g1, %w2 : tensor<{B}x{D1}xf32>, tensor<{D1}x{D2}xf32> -> tensor<{B}x{D2}xf32>
  %a2 = weft.add %h2, %b2 : tensor<{B}x{D2}xf32>, tensor<{D2}xf32>
  %g2 = weft.gelu %a2 : tensor<{B}x{D2}xf32>
  %h3 = weft.matmul %g2, %w3 : tensor<{B}x{D2}xf32>, tensor<{D2}x{D3}xf32> -> tensor<{B}x{D3}xf32>
  %y = weft.add %h3, %b3 : tensor<{B}x{D3}xf32>, tensor<{D3}xf32>
  return %y : tensor<{B}x{D3}xf32>
}}
"""

x64 = x.astype(np.float64)
h = gelu(x64 @ w1 + b1)
h = gelu(h @ w2 + b2)
ref = h @ w3 + b3

inputs = dict(x=x, w1=w1, b1=b1, w2=w2, b2=b2, w3=w3, b3=b3)
for flags, tag in [((), "blas gemm"), (("--no-blas",), "generated gemm")]:
    out = compile_and_run(mlir, inputs, flags)
    check(f"mlp ({tag})", out["logits"], ref.astype(np.float32))
