# The README's transformer block (examples/transformer_block.mlir) against
# numpy: embedding, layer norm, 4-head attention, GELU MLP, residuals.
# RUN: %PYTHON %s %S/../../examples/transformer_block.mlir
import sys

import numpy as np

from harness import check, compile_and_run, gelu, layer_norm, softmax

B, S, H, NH, F, V = 2, 16, 64, 4, 256, 1000
rng = np.random.default_rng(7)
f32 = np.float32
args = {
    "arg0": rng.integers(0, V, (B, S)).astype(np.int64),
    "arg1": (rng.standard_normal((V, H)) * 0.5).astype(f32),
    "arg2": (1 + 0.1 * rng.standard_normal(H)).astype(f32),
    "arg3": (0.1 * rng.standard_normal(H)).astype(f32),
}
for i in range(4, 8):  # wq wk wv wo
    args[f"arg{i}"] = (rng.standard_normal((H, H)) / np.sqrt(H)).astype(f32)
args["arg8"] = (1 + 0.1 * rng.standard_normal(H)).astype(f32)
args["arg9"] = (0.1 * rng.standard_normal(H)).astype(f32)
args["arg10"] = (rng.standard_normal((H, F)) / np.sqrt(H)).astype(f32)
args["arg11"] = (0.1 * rng.standard_normal(F)).astype(f32)
args["arg12"] = (rng.standard_normal((F, H)) / np.sqrt(F)).astype(f32)
args["arg13"] = (0.1 * rng.standard_normal(H)).astype(f32)

a = {k: v.astype(np.float64) if v.dtype == f32 else v for k, v in args.items()}
x = a["arg1"][a["arg0"]]                                   # [B, S, H]
h = layer_norm(x, a["arg2"], a["arg3"]).reshape(B * S, H)
q, k, v = (h @ a[f"arg{i}"] for i in (4, 5, 6))
heads = lambda t: t.reshape(B, S, NH, H // NH).transpose(0, 2, 1, 3)
q, k, v = heads(q), heads(k), heads(v)
p = softmax(q @ k.transpose(0, 1, 3, 2) * 0.25)
o = (p @ v).transpose(0, 2, 1, 3).reshape(B * S, H) @ a["arg7"]
x1 = x + o.reshape(B, S, H)
m = layer_norm(x1, a["arg8"], a["arg9"]).reshape(B * S, H)
d = gelu(m @ a["arg10"] + a["arg11"]) @ a["arg12"] + a["arg13"]
ref = (x1 + d.reshape(B, S, H)).astype(f32)

out = compile_and_run(open(sys.argv[1]).read(), args)
check("transformer block", out["out0"], ref)
