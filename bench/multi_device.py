#!/usr/bin/env python3
"""Multi-device benchmark: the cost model's predictions next to measured
times, for collectives and whole steps, on this machine's MPI ranks.

    python3 bench/multi_device.py [--repeat N] [--bin build/bin]

1. Calibration (the micro-benchmark): weftc compiles, for n = 2 and 4
   ranks, a program whose only communication is one all_reduce of K
   floats (x [n, K] split by rows, summed over the rows, returned
   replicated); `mpirun -np n weft-run --repeat` times it for several K.
   A least-squares fit of time = steps * alpha + sent bytes / bandwidth
   (ring all_reduce: 2(n-1) steps, 2(n-1)/n * 4K bytes sent per rank) gives
   this machine's loopback alpha and beta; the compute side (FLOP/s, memory
   bandwidth, launch floor) is timed on one device. Each collective's
   prediction with the fitted values is printed next to its measurement.
2. Steps: an MLP (x [B, H] @ w1 [H, 4H] -> gelu -> @ w2 [4H, H]) compiled
   with the calibrated topology, tensor parallel (pinned) on 2 and 4 ranks:
   the report's predicted step time next to the measured median. The
   machine has few cores: when ranks outnumber them, each rank gets
   1/ranks of the FLOP/s measured on one device with every core (said in
   the output). Goal: within 25%.
3. Scaling next to torch.distributed (gloo) data parallel, when torch is
   installed (an optional bench dependency; skipped with a note if not).

Rounds are interleaved and medians quoted.
"""
import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np"]


def weftc(binary, text, work, name, flags=()):
    src, art = work / f"{name}.mlir", work / f"{name}.weft"
    src.write_text(text)
    rep = work / f"{name}.json"
    subprocess.run([f"{binary}/weftc", str(src), "-o", str(art), "-q",
                    f"--report={rep}", "--report-format=json", *flags],
                   check=True)
    report = json.loads(rep.read_text()) if rep.exists() and \
        rep.stat().st_size else None
    return art, report


def timed(binary, art, inputs, work, repeat, ranks=None):
    """Median ms per run of `art` (weft-run --repeat), under mpirun with
    `ranks` ranks, or in one process."""
    feeds = []
    for name, arr in inputs.items():
        np.save(work / f"{name}.npy", arr)
        feeds += ["--input", f"{name}={work / (name + '.npy')}"]
    cmd = ([*MPIRUN, str(ranks)] if ranks else []) + [
        f"{binary}/weft-run", str(art), "--output-dir", str(work / "out"),
        "--repeat", str(repeat)] + feeds
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode:
        sys.exit(f"bench: {' '.join(cmd[:6])} failed:\n{r.stderr[-3000:]}")
    return float(re.search(r"median ([0-9.]+) ms", r.stdout + r.stderr)
                 .group(1))


def allreduce_model(n, k):
    return f"""
dist.mesh @mesh shape = [{n}] axes = ["d"]
func.func @main(%x: tensor<{n}x{k}xf32> {{weft.name = "x", dist.sharding = #dist.sharding<@mesh, [S(0)]>}})
    -> (tensor<{k}xf32> {{weft.name = "y", dist.sharding = #dist.sharding<@mesh, [B]>}}) {{
  %s = weft.reduce_sum %x axes = [0] : tensor<{n}x{k}xf32> -> tensor<{k}xf32>
  return %s : tensor<{k}xf32>
}}"""


def mlp_model(b, h, pins=""):
    f = 4 * h
    p1 = f', dist.sharding = #dist.sharding<@mesh, [S(1)]>' if pins else ""
    p2 = f', dist.sharding = #dist.sharding<@mesh, [S(0)]>' if pins else ""
    return f"""
func.func @main(%x: tensor<{b}x{h}xf32> {{weft.name = "x"}},
                %w1: tensor<{h}x{f}xf32> {{weft.name = "w1"{p1}}},
                %w2: tensor<{f}x{h}xf32> {{weft.name = "w2"{p2}}})
    -> (tensor<{b}x{h}xf32> {{weft.name = "y"}}) {{
  %a = weft.matmul %x, %w1 : tensor<{b}x{h}xf32>, tensor<{h}x{f}xf32> -> tensor<{b}x{f}xf32>
  %g = weft.gelu %a : tensor<{b}x{f}xf32>
  %y = weft.matmul %g, %w2 : tensor<{b}x{f}xf32>, tensor<{f}x{h}xf32> -> tensor<{b}x{h}xf32>
  return %y : tensor<{b}x{h}xf32>
}}"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bin", default=os.environ.get("WEFT_BIN",
                                                    str(ROOT / "build/bin")))
    o = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="weft-bench-md-"))
    cores = os.cpu_count() or 1
    rng = np.random.default_rng(0)

    # --- compute side, one device ------------------------------------------
    B, H = 256, 512
    x = rng.standard_normal((B, H)).astype(np.float32)
    w1 = (rng.standard_normal((H, 4 * H)) / H ** 0.5).astype(np.float32)
    w2 = (rng.standard_normal((4 * H, H)) / H ** 0.5).astype(np.float32)
    mm = f"""
func.func @main(%a: tensor<{B}x{H}xf32> {{weft.name = "a"}}, %b: tensor<{H}x{4 * H}xf32> {{weft.name = "b"}}) -> tensor<{B}x{4 * H}xf32> {{
  %c = weft.matmul %a, %b : tensor<{B}x{H}xf32>, tensor<{H}x{4 * H}xf32> -> tensor<{B}x{4 * H}xf32>
  return %c : tensor<{B}x{4 * H}xf32>
}}"""
    N = 1 << 22
    ew = f"""
func.func @main(%a: tensor<{N}xf32> {{weft.name = "a"}}) -> tensor<{N}xf32> {{
  %c = weft.relu %a : tensor<{N}xf32>
  return %c : tensor<{N}xf32>
}}"""
    tiny = """
func.func @main(%a: tensor<4xf32> {weft.name = "a"}) -> tensor<4xf32> {
  %c = weft.relu %a : tensor<4xf32>
  return %c : tensor<4xf32>
}"""
    mm_art, _ = weftc(o.bin, mm, work, "mm")
    ew_art, _ = weftc(o.bin, ew, work, "ew")
    tiny_art, _ = weftc(o.bin, tiny, work, "tiny")
    t_mm = statistics.median(timed(o.bin, mm_art, {"a": x, "b": w1}, work,
                                   o.repeat) for _ in range(o.rounds))
    t_ew = statistics.median(timed(o.bin, ew_art, {"a": rng.standard_normal(
        N).astype(np.float32)}, work, o.repeat) for _ in range(o.rounds))
    t_tiny = statistics.median(timed(o.bin, tiny_art, {"a": np.ones(
        4, np.float32)}, work, o.repeat * 10) for _ in range(o.rounds))
    # (weft-run prints milliseconds with 4 decimals.)
    flops = 2 * B * H * 4 * H / (t_mm * 1e-3)
    mem_gbps = 2 * 4 * N / (t_ew * 1e-3) / 1e9
    launch_us = t_tiny * 1e3
    print(f"== compute (one device): {flops / 1e9:.1f} GFLOP/s (a "
          f"{B}x{H}x{4 * H} matmul), {mem_gbps:.1f} GB/s (relu of {N} "
          f"floats), {launch_us:.1f} us per tiny step")

    # --- collectives --------------------------------------------------------
    sizes = [1 << 10, 1 << 14, 1 << 17, 1 << 19]
    print("== all_reduce on loopback MPI (median of rounds; interleaved)")
    fits = {}
    for n in (2, 4):
        arts = {k: weftc(o.bin, allreduce_model(n, k), work, f"ar{n}_{k}",
                         ["--memory-budget=1000000000"])[0] for k in sizes}
        samples = {k: [] for k in sizes}
        for _ in range(o.rounds):
            for k in sizes:
                samples[k].append(timed(
                    o.bin, arts[k],
                    {"x": rng.standard_normal((n, k)).astype(np.float32)},
                    work, o.repeat, ranks=n))
        meas = {k: statistics.median(v) * 1e-3 - launch_us * 1e-6
                for k, v in samples.items()}
        steps = 2 * (n - 1)
        sent = {k: 2 * (n - 1) / n * 4 * k for k in sizes}
        # Least squares on relative errors, so small messages count too.
        y = np.array([meas[k] for k in sizes])
        A = np.array([[steps, sent[k]] for k in sizes]) / y[:, None]
        (alpha, beta), *_ = np.linalg.lstsq(A, np.ones(len(sizes)),
                                            rcond=None)
        alpha, beta = max(alpha, 1e-7), max(beta, 1e-12)
        fits[n] = (alpha, beta)
        print(f"  {n} ranks: alpha {alpha * 1e6:.1f} us per step, bandwidth "
              f"{1 / beta / 1e9:.2f} GB/s")
        for k in sizes:
            pred = steps * alpha + sent[k] * beta
            print(f"    {4 * k:>8} B: measured {meas[k] * 1e6:8.1f} us, "
                  f"predicted {pred * 1e6:8.1f} us ({pred / meas[k]:.2f}x)")

    # --- steps --------------------------------------------------------------
    print("== MLP step, tensor parallel (w1 column-, w2 row-split), "
          f"B={B} H={H}: predicted vs measured")
    one_art, _ = weftc(o.bin, mlp_model(B, H), work, "mlp1")
    t_one = statistics.median(
        timed(o.bin, one_art, {"x": x, "w1": w1, "w2": w2}, work, o.repeat)
        for _ in range(o.rounds)) * 1e-3
    print(f"  1 device: measured {t_one * 1e3:.2f} ms")
    for n in (2, 4):
        alpha, beta = fits[n]
        # The one-device figures used every core (BLAS threads); n ranks
        # share them.
        share = 1.0 / n
        topo = (f"latency_us={alpha * 1e6:.3f};bandwidth_gbps="
                f"{1 / beta / 1e9:.4f};flops={flops * share:.6g};"
                f"memory_bandwidth_gbps={mem_gbps * share:.4g};"
                f"launch_us={launch_us:.3f}")
        art, report = weftc(o.bin, mlp_model(B, H, pins=True), work,
                            f"mlp{n}", [f"--mesh={n}",
                                        f"--mesh-topology={topo}"])
        pred = report["functions"][0]["per_device"]["predicted_step_seconds"]
        meas = statistics.median(
            timed(o.bin, art, {"x": x, "w1": w1, "w2": w2}, work, o.repeat,
                  ranks=n) for _ in range(o.rounds)) * 1e-3
        err = abs(pred - meas) / meas
        print(f"  {n} ranks ({share:.2g} of a device's FLOP/s each): "
              f"predicted {pred * 1e3:.2f} ms, measured {meas * 1e3:.2f} ms "
              f"({pred / meas:.2f}x, {'within' if err <= 0.25 else 'OUTSIDE'}"
              f" 25%); speed-up over 1 device {t_one / meas:.2f}x on "
              f"{cores} cores")

    # --- peer ---------------------------------------------------------------
    try:
        import torch  # noqa: F401
        print("== torch.distributed: installed, but the gloo comparison is "
              "not written yet")
    except ImportError:
        print("== torch.distributed (gloo) peer: skipped, torch is not "
              "installed (pip install torch to compare)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
