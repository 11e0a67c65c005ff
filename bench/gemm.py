#!/usr/bin/env python3
"""GEMM benchmark: weft's generated GEMM (weftc --no-blas, i.e.
weft-cpu-tile-contractions) against numpy's OpenBLAS sgemm, in the same
run, on the same machine.

    python3 bench/gemm.py [--size 1024] [--rounds 5] [--repeat 10]
                          [--only f32,f32-bt,f16,bf16,i8]

Every round times each weft variant (weft-run --repeat N prints a median)
and OpenBLAS sgemm with 1 and with 2 threads (a fresh python per thread
count, OPENBLAS_NUM_THREADS set before numpy loads, median of N calls),
interleaved so that load from other processes hits all of them alike. The
report is the median over rounds: GFLOP/s (2*M*N*K / time) and % of
OpenBLAS sgemm. `f32-bt` is x @ W^T (B stored [N, K], weft.matmul
{transpose_rhs}). f16/bf16 accumulate in f32 and i8 in i32, so their
comparison with sgemm is about speed only. weft runs with 1 and with 2
threads (weft-run --threads), like OpenBLAS.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("WEFT_BIN", ROOT / "build/bin"))

NUMPY_WORKER = """
import sys, time
import numpy as np
n, repeat = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
a = rng.standard_normal((n, n)).astype(np.float32)
b = rng.standard_normal((n, n)).astype(np.float32)
a @ b
ts = []
for _ in range(repeat):
    t0 = time.perf_counter()
    a @ b
    ts.append(time.perf_counter() - t0)
print(float(np.median(ts)) * 1e3)
"""


def weft_variant(work, et, n, rng):
    """Compiles an n^3 matmul in `et`; returns the weft-run command line
    and a check of its output against numpy."""
    bt = et.endswith("-bt")
    io = et.removesuffix("-bt")
    t = f"tensor<{n}x{n}x{io}>"
    attrs = " {transpose_rhs}" if bt else ""
    mlir = (f'func.func @main(%a: {t} {{weft.name = "a"}}, %b: {t} '
            f'{{weft.name = "b"}}) -> ({t} {{weft.name = "c"}}) {{\n'
            f"  %c = weft.matmul %a, %b{attrs} : {t}, {t} -> {t}\n"
            f"  return %c : {t}\n}}\n")
    d = work / et
    d.mkdir()
    (d / "m.mlir").write_text(mlir)
    subprocess.run([str(BIN / "weftc"), str(d / "m.mlir"), "-o",
                    str(d / "m.weft"), "-q", "--no-blas"], check=True)
    if io == "i8":
        a = rng.integers(-128, 128, (n, n)).astype(np.int8)
        b = rng.integers(-128, 128, (n, n)).astype(np.int8)
        arrays = {"a": a, "b": b}
    else:
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        if io == "bf16":
            # bf16 as ml_dtypes writes it ('|V2'): the high half of an f32.
            a = (a.view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)
            b = (b.view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)
            arrays = {k: (v.view(np.uint32) >> 16).astype(np.uint16)
                      .view("V2") for k, v in (("a", a), ("b", b))}
        elif io == "f16":
            a, b = a.astype(np.float16), b.astype(np.float16)
            arrays = {"a": a, "b": b}
        else:
            arrays = {"a": a, "b": b}
    cmd = [str(BIN / "weft-run"), str(d / "m.weft"), "--output-dir",
           str(d / "out")]
    for name, arr in arrays.items():
        np.save(d / f"{name}.npy", arr)
        cmd += ["--input", f"{name}={d / name}.npy"]

    def check():
        got = np.load(d / "out" / "c.npy")
        bm = b.T if bt else b
        if io == "bf16":
            got = (got.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
        if io == "i8":
            ref = (a.astype(np.int32) @ bm.astype(np.int32)).astype(np.int8)
            return 0.0 if np.array_equal(got, ref) else float("inf")
        ref = a.astype(np.float64) @ bm.astype(np.float64)
        return float(np.abs(got.astype(np.float64) - ref).max() /
                     np.abs(ref).max())
    return cmd, check


def time_weft(cmd, repeat, threads):
    out = subprocess.run(cmd + ["--repeat", str(repeat), "--threads",
                                str(threads)], check=True,
                         capture_output=True, text=True).stdout
    return float(out.split("median ")[1].split(" ms")[0])


def time_numpy(n, repeat, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads),
               OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", NUMPY_WORKER, str(n),
                          str(repeat)], check=True, capture_output=True,
                         text=True, env=env).stdout
    return float(out.strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--only", default="f32,f32-bt,f16,bf16,i8")
    opts = ap.parse_args()
    n = opts.size
    variants = opts.only.split(",")
    rng = np.random.default_rng(0)
    work = pathlib.Path(tempfile.mkdtemp(prefix="weft-bench-gemm-"))
    cmds = {et: weft_variant(work, et, n, rng) for et in variants}
    keys = [f"{et}/{t}" for et in variants for t in (1, 2)]
    times = {k: [] for k in [*keys, "openblas1", "openblas2"]}
    for _ in range(opts.rounds):
        for et in variants:
            for t in (1, 2):
                times[f"{et}/{t}"].append(
                    time_weft(cmds[et][0], opts.repeat, t))
        for t in (1, 2):
            times[f"openblas{t}"].append(time_numpy(n, opts.repeat, t))
    flops = 2.0 * n ** 3
    med = {k: float(np.median(v)) for k, v in times.items()}
    gf = {k: flops / (ms * 1e-3) / 1e9 for k, ms in med.items()}
    print(f"GEMM {n}x{n}x{n} ({os.cpu_count()} cores; numpy {np.__version__}; "
          f"median over {opts.rounds} rounds of {opts.repeat})")
    for t in (1, 2):
        k = f"openblas{t}"
        print(f"  OpenBLAS sgemm, {t} thread{'s' if t > 1 else ' '}  "
              f"{med[k]:8.2f} ms {gf[k]:7.1f} GFLOP/s")
    for et in variants:
        err = cmds[et][1]()
        for t in (1, 2):
            k, ref = f"{et}/{t}", f"openblas{t}"
            print(f"  weft {et:6s} {t} thread{'s' if t > 1 else ' '}  "
                  f"{med[k]:8.2f} ms {gf[k]:7.1f} GFLOP/s  "
                  f"{100 * gf[k] / gf[ref]:5.1f}% of {t}-thread sgemm "
                  f"(weft/OpenBLAS time {med[k] / med[ref]:.2f}; max rel. "
                  f"err {err:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
