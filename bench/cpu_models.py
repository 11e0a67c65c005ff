#!/usr/bin/env python3
"""CPU benchmark: weft (weftc + weft-run) against numpy on the same weights,
the same machine and in the same run. Prints the median time per forward
pass of each and their ratio (weft / numpy: below 1 means weft is faster).

    python3 bench/cpu_models.py [--repeat N] [--only mlp|transformer]

Models (float32):
  mlp          tokens 1024 (batch 8 x seq 128), 512 -> 2048 -> 2048 -> 512,
               GELU (tanh form) between layers
  transformer  one encoder block, batch 8 x seq 128 x hidden 512, 8 heads,
               MLP 2048, pre-norm, residuals
numpy gets the same math with its own best tools (BLAS matmul, broadcasting).
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("WEFT_BIN", ROOT / "build/bin"))
f32 = np.float32


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(f32(0.7978845608028654) *
                                  (x + f32(0.044715) * x * x * x)))


def mlp_model(rng, T=1024, D=512, Hd=2048):
    dims = [(D, Hd), (Hd, Hd), (Hd, D)]
    args = {"x": rng.standard_normal((T, D)).astype(f32)}
    for i, (a, b) in enumerate(dims, 1):
        args[f"w{i}"] = (rng.standard_normal((a, b)) / np.sqrt(a)).astype(f32)
        args[f"b{i}"] = (0.1 * rng.standard_normal(b)).astype(f32)
    sig = ", ".join(
        [f'%x: tensor<{T}x{D}xf32> {{weft.name = "x"}}'] +
        [f'%w{i}: tensor<{a}x{b}xf32> {{weft.name = "w{i}"}}, '
         f'%b{i}: tensor<{b}xf32> {{weft.name = "b{i}"}}'
         for i, (a, b) in enumerate(dims, 1)])
    body, cur, cd = [], "%x", D
    for i, (a, b) in enumerate(dims, 1):
        body.append(f"%h{i} = weft.matmul {cur}, %w{i} : tensor<{T}x{a}xf32>, "
                    f"tensor<{a}x{b}xf32> -> tensor<{T}x{b}xf32>")
        body.append(f"%a{i} = weft.add %h{i}, %b{i} : tensor<{T}x{b}xf32>, "
                    f"tensor<{b}xf32>")
        cur = f"%a{i}"
        if i < len(dims):
            body.append(f"%g{i} = weft.gelu %a{i} {{approximate}} : "
                        f"tensor<{T}x{b}xf32>")
            cur = f"%g{i}"
        cd = b
    mlir = (f"func.func @main({sig}) -> tensor<{T}x{cd}xf32> {{\n  " +
            "\n  ".join(body) + f"\n  return {cur} : tensor<{T}x{cd}xf32>\n}}\n")

    def ref(a):
        h = gelu_tanh(a["x"] @ a["w1"] + a["b1"])
        h = gelu_tanh(h @ a["w2"] + a["b2"])
        return h @ a["w3"] + a["b3"]
    return mlir, args, ref


def transformer_model(rng, B=8, S=128, H=512, NH=8, F=2048):
    T, Dh = B * S, H // NH
    args = {"x": rng.standard_normal((B, S, H)).astype(f32)}
    for n in ("g1", "g2"):
        args[n] = (1 + 0.1 * rng.standard_normal(H)).astype(f32)
    for n in ("be1", "be2"):
        args[n] = (0.1 * rng.standard_normal(H)).astype(f32)
    for n in ("wq", "wk", "wv", "wo"):
        args[n] = (rng.standard_normal((H, H)) / np.sqrt(H)).astype(f32)
    args["w1"] = (rng.standard_normal((H, F)) / np.sqrt(H)).astype(f32)
    args["c1"] = (0.1 * rng.standard_normal(F)).astype(f32)
    args["w2"] = (rng.standard_normal((F, H)) / np.sqrt(F)).astype(f32)
    args["c2"] = (0.1 * rng.standard_normal(H)).astype(f32)
    ty = {n: "tensor<" + "x".join(map(str, a.shape)) + "xf32>"
          for n, a in args.items()}
    sig = ", ".join(f'%{n}: {ty[n]} {{weft.name = "{n}"}}' for n in args)
    X, X2 = f"tensor<{B}x{S}x{H}xf32>", f"tensor<{T}x{H}xf32>"
    X4, XH = f"tensor<{B}x{S}x{NH}x{Dh}xf32>", f"tensor<{B}x{NH}x{S}x{Dh}xf32>"
    SC, MF = f"tensor<{B}x{NH}x{S}x{S}xf32>", f"tensor<{T}x{F}xf32>"
    W, V = f"tensor<{H}x{H}xf32>", f"tensor<{H}xf32>"
    lines = [f"%h = weft.layer_norm %x, %g1, %be1 : {X}, {V}",
             f"%h2 = weft.reshape %h : {X} -> {X2}"]
    for n in "qkv":
        lines += [f"%{n} = weft.matmul %h2, %w{n} : {X2}, {W} -> {X2}",
                  f"%{n}4 = weft.reshape %{n} : {X2} -> {X4}",
                  f"%{n}h = weft.transpose %{n}4 perm = [0, 2, 1, 3] : {X4} -> {XH}"]
    lines += [
        f"%s = weft.batch_matmul %qh, %kh {{transpose_rhs}} : {XH}, {XH} -> {SC}",
        f"%sc = weft.constant dense<{1 / np.sqrt(Dh)}> : tensor<f32>",
        f"%ss = weft.mul %s, %sc : {SC}, tensor<f32>",
        f"%p = weft.softmax %ss axis = 3 : {SC}",
        f"%o = weft.batch_matmul %p, %vh : {SC}, {XH} -> {XH}",
        f"%ot = weft.transpose %o perm = [0, 2, 1, 3] : {XH} -> {X4}",
        f"%o2 = weft.reshape %ot : {X4} -> {X2}",
        f"%pr = weft.matmul %o2, %wo : {X2}, {W} -> {X2}",
        f"%pr3 = weft.reshape %pr : {X2} -> {X}",
        f"%x1 = weft.add %x, %pr3 : {X}",
        f"%m = weft.layer_norm %x1, %g2, %be2 : {X}, {V}",
        f"%m2 = weft.reshape %m : {X} -> {X2}",
        f"%u = weft.matmul %m2, %w1 : {X2}, tensor<{H}x{F}xf32> -> {MF}",
        f"%ub = weft.add %u, %c1 : {MF}, tensor<{F}xf32>",
        f"%gl = weft.gelu %ub {{approximate}} : {MF}",
        f"%d = weft.matmul %gl, %w2 : {MF}, tensor<{F}x{H}xf32> -> {X2}",
        f"%db = weft.add %d, %c2 : {X2}, {V}",
        f"%d3 = weft.reshape %db : {X2} -> {X}",
        f"%y = weft.add %x1, %d3 : {X}"]
    mlir = (f"func.func @main({sig}) -> {X} {{\n  " + "\n  ".join(lines) +
            f"\n  return %y : {X}\n}}\n")

    def ln(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + f32(1e-5)) * g + b

    def ref(a):
        h = ln(a["x"], a["g1"], a["be1"]).reshape(T, H)
        q, k, v = ((h @ a[n]).reshape(B, S, NH, Dh).transpose(0, 2, 1, 3)
                   for n in ("wq", "wk", "wv"))
        s = (q @ k.transpose(0, 1, 3, 2)) * f32(1 / np.sqrt(Dh))
        e = np.exp(s - s.max(-1, keepdims=True))
        p = e / e.sum(-1, keepdims=True)
        o = (p @ v).transpose(0, 2, 1, 3).reshape(T, H) @ a["wo"]
        x1 = a["x"] + o.reshape(B, S, H)
        m = ln(x1, a["g2"], a["be2"]).reshape(T, H)
        d = gelu_tanh(m @ a["w1"] + a["c1"]) @ a["w2"] + a["c2"]
        return x1 + d.reshape(B, S, H)
    return mlir, args, ref


def bench(name, build, repeat):
    rng = np.random.default_rng(0)
    mlir, args, ref = build(rng)
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"weft-bench-{name}-"))
    (work / "m.mlir").write_text(mlir)
    subprocess.run([str(BIN / "weftc"), str(work / "m.mlir"), "-o",
                    str(work / "m.weft"), "-q"], check=True)
    cmd = [str(BIN / "weft-run"), str(work / "m.weft"), "--repeat",
           str(repeat), "--output-dir", str(work / "out")]
    for n, a in args.items():
        np.save(work / f"{n}.npy", a)
        cmd += ["--input", f"{n}={work / n}.npy"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    weft_ms = float(out.split("median ")[1].split(" ms")[0])
    got = np.load(next((work / "out").glob("*.npy")))

    want = ref(args)  # warm-up, and the value to compare
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ref(args)
        times.append((time.perf_counter() - t0) * 1e3)
    numpy_ms = float(np.median(times))
    err = float(np.abs(got - want).max() / np.abs(want).max())
    print(f"{name:12s} weft {weft_ms:9.3f} ms   numpy {numpy_ms:9.3f} ms   "
          f"weft/numpy {weft_ms / numpy_ms:5.2f}   (median of {repeat}; "
          f"max rel. diff {err:.1e})")
    return weft_ms / numpy_ms


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--only", choices=["mlp", "transformer"])
    opts = ap.parse_args()
    print(f"weft CPU benchmark ({os.cpu_count()} cores; numpy {np.__version__})")
    for name, build in [("mlp", mlp_model), ("transformer", transformer_model)]:
        if opts.only in (None, name):
            bench(name, build, opts.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
