#!/usr/bin/env python3
"""CPU benchmark: weft (weftc + weft-run) against numpy on the same weights,
the same machine and in the same run. Prints the median time per forward
pass of each and their ratio (weft / numpy: below 1 means weft is faster).

    python3 bench/cpu_models.py [--repeat N] [--only mlp|transformer|conv]

Models (float32):
  mlp          tokens 1024 (batch 8 x seq 128), 512 -> 2048 -> 2048 -> 512,
               GELU (tanh form) between layers
  transformer  one encoder block, batch 8 x seq 128 x hidden 512, 8 heads,
               MLP 2048, pre-norm, residuals
  conv         batch 8 x 3 x 32 x 32 (NCHW): conv3x3 3 -> 32 + bias + relu,
               conv3x3 32 -> 64 stride 2 + bias + relu, global average
               pool, dense 64 -> 10
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

def conv_model(rng, N=8, C=3, HW=32, C1=32, C2=64, K=10):
    """A small conv net on NCHW images: conv3x3(C -> C1, pad 1) + bias +
    relu, conv3x3(C1 -> C2, stride 2, pad 1) + bias + relu, global average
    pool, dense C2 -> K."""
    H2 = HW // 2
    args = {"x": rng.standard_normal((N, C, HW, HW)).astype(f32),
            "w1": (rng.standard_normal((C1, C, 3, 3)) /
                   np.sqrt(9 * C)).astype(f32),
            "b1": (0.1 * rng.standard_normal(C1)).astype(f32),
            "w2": (rng.standard_normal((C2, C1, 3, 3)) /
                   np.sqrt(9 * C1)).astype(f32),
            "b2": (0.1 * rng.standard_normal(C2)).astype(f32),
            "w3": (rng.standard_normal((C2, K)) / np.sqrt(C2)).astype(f32),
            "b3": (0.1 * rng.standard_normal(K)).astype(f32)}
    ty = {n: "tensor<" + "x".join(map(str, a.shape)) + "xf32>"
          for n, a in args.items()}
    sig = ", ".join(f'%{n}: {ty[n]} {{weft.name = "{n}"}}' for n in args)
    A1 = f"tensor<{N}x{C1}x{HW}x{HW}xf32>"
    A2 = f"tensor<{N}x{C2}x{H2}x{H2}xf32>"
    pad = "padding = array<i64: 1, 1, 1, 1>"
    lines = [
        f"%c1 = weft.conv2d %x, %w1, %b1 {{{pad}}} : {ty['x']}, {ty['w1']}, "
        f"{ty['b1']} -> {A1}",
        f"%r1 = weft.relu %c1 : {A1}",
        f"%c2 = weft.conv2d %r1, %w2, %b2 {{strides = array<i64: 2, 2>, "
        f"{pad}}} : {A1}, {ty['w2']}, {ty['b2']} -> {A2}",
        f"%r2 = weft.relu %c2 : {A2}",
        f"%p = weft.reduce_mean %r2 axes = [2, 3] : {A2} -> "
        f"tensor<{N}x{C2}xf32>",
        f"%h = weft.matmul %p, %w3 : tensor<{N}x{C2}xf32>, {ty['w3']} -> "
        f"tensor<{N}x{K}xf32>",
        f"%y = weft.add %h, %b3 : tensor<{N}x{K}xf32>, {ty['b3']}"]
    mlir = (f"func.func @main({sig}) -> tensor<{N}x{K}xf32> {{\n  " +
            "\n  ".join(lines) + f"\n  return %y : tensor<{N}x{K}xf32>\n}}\n")

    def conv3x3(x, w, b, stride):
        """im2col (a strided window view of the padded input) and one BLAS
        matmul"""
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        win = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), (2, 3))
        win = win[:, :, ::stride, ::stride]          # N, C, OH, OW, 3, 3
        n, c, oh, ow = win.shape[:4]
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * 9)
        y = cols @ w.reshape(w.shape[0], -1).T + b  # N*OH*OW, F
        return y.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def ref(a):
        h = np.maximum(conv3x3(a["x"], a["w1"], a["b1"], 1), 0)
        h = np.maximum(conv3x3(h, a["w2"], a["b2"], 2), 0)
        return h.mean((2, 3)) @ a["w3"] + a["b3"]
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


MODELS = [("mlp", mlp_model), ("transformer", transformer_model),
          ("conv", conv_model)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--only", choices=[n for n, _ in MODELS])
    opts = ap.parse_args()
    print(f"weft CPU benchmark ({os.cpu_count()} cores; numpy {np.__version__})")
    for name, build in MODELS:
        if opts.only in (None, name):
            bench(name, build, opts.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
