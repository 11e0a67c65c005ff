#!/usr/bin/env python3
"""The main job: compile examples/transformer_block.mlir with weftc, run it
with weft-run on random inputs, check the result against numpy, and report
the median run time next to numpy's.

    python3 examples/transformer_block.py [--repeat N]
"""
import argparse
import math
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
B, S, H, NH, F, V = 2, 16, 64, 4, 256, 1000


def make_inputs(seed=7):
    """Token ids and weights in argument order (arg0 ... arg13)."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    a = {"arg0": rng.integers(0, V, (B, S)).astype(np.int64),
         "arg1": (rng.standard_normal((V, H)) * 0.5).astype(f32),
         "arg2": (1 + 0.1 * rng.standard_normal(H)).astype(f32),
         "arg3": (0.1 * rng.standard_normal(H)).astype(f32)}
    for i in range(4, 8):  # wq wk wv wo
        a[f"arg{i}"] = (rng.standard_normal((H, H)) / np.sqrt(H)).astype(f32)
    a["arg8"] = (1 + 0.1 * rng.standard_normal(H)).astype(f32)
    a["arg9"] = (0.1 * rng.standard_normal(H)).astype(f32)
    a["arg10"] = (rng.standard_normal((H, F)) / np.sqrt(H)).astype(f32)
    a["arg11"] = (0.1 * rng.standard_normal(F)).astype(f32)
    a["arg12"] = (rng.standard_normal((F, H)) / np.sqrt(F)).astype(f32)
    a["arg13"] = (0.1 * rng.standard_normal(H)).astype(f32)
    return a


_erf_exact = np.vectorize(math.erf, otypes=[np.float64])


def _erf_fast(x):
    """Vectorized erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7): what
    a numpy user would write; used when timing numpy, not for accuracy."""
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t
                - 0.284496736) * t + 0.254829592) * t * np.exp(-a * a)
    return s * y


def reference(args, dtype=np.float64):
    """The block in numpy (float64 by default: the accuracy reference)."""
    a = {k: v.astype(dtype) if v.dtype == np.float32 else v
         for k, v in args.items()}

    def layer_norm(x, g, b, eps=1e-5):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b

    def softmax(x):
        e = np.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)

    erf = _erf_exact if dtype == np.float64 else _erf_fast

    def gelu(x):
        return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)).astype(dtype))

    x = a["arg1"][a["arg0"]]
    h = layer_norm(x, a["arg2"], a["arg3"]).reshape(B * S, H)
    q, k, v = (h @ a[f"arg{i}"] for i in (4, 5, 6))

    def heads(t):
        return t.reshape(B, S, NH, H // NH).transpose(0, 2, 1, 3)

    q, k, v = heads(q), heads(k), heads(v)
    p = softmax(q @ k.transpose(0, 1, 3, 2) * 0.25)
    o = (p @ v).transpose(0, 2, 1, 3).reshape(B * S, H) @ a["arg7"]
    x1 = x + o.reshape(B, S, H)
    m = layer_norm(x1, a["arg8"], a["arg9"]).reshape(B * S, H)
    d = gelu(m @ a["arg10"] + a["arg11"]) @ a["arg12"] + a["arg13"]
    return (x1 + d.reshape(B, S, H)).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--bin", default=os.environ.get("WEFT_BIN",
                                                    str(ROOT / "build/bin")))
    opts = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="weft-main-"))
    model = ROOT / "examples/transformer_block.mlir"
    art = work / "transformer_block.weft"
    subprocess.run([f"{opts.bin}/weftc", str(model), "-o", str(art)],
                   check=True)
    args = make_inputs()
    cmd = [f"{opts.bin}/weft-run", str(art), "--output-dir", str(work / "out"),
           "--repeat", str(opts.repeat)]
    for name, arr in args.items():
        np.save(work / f"{name}.npy", arr)
        cmd += ["--input", f"{name}={work / name}.npy"]
    run = subprocess.run(cmd, check=True, capture_output=True, text=True)
    weft_ms = float(run.stdout.split("median ")[1].split(" ms")[0])

    got = np.load(work / "out/out0.npy")
    ref = reference(args)
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    ok = err <= 1e-4

    times = []
    for _ in range(max(5, opts.repeat // 10)):
        t0 = time.perf_counter()
        reference(args, np.float32)
        times.append((time.perf_counter() - t0) * 1e3)
    numpy_ms = sorted(times)[len(times) // 2]

    print(f"[weft main] transformer block {B}x{S}x{H}, {NH} heads, MLP {F}")
    print(f"[weft main] check against numpy: max relative error {err:.2e} "
          f"({'ok' if ok else 'FAIL'}, tolerance 1e-4)")
    print(f"[weft main] median time per run: weft {weft_ms:.3f} ms, "
          f"numpy {numpy_ms:.3f} ms (weft/numpy = {weft_ms / numpy_ms:.2f})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
