#!/usr/bin/env python3
"""The main job: a GPT-style stack (2 layers, hidden 256, 4 heads, batch 4 x
seq 64) compiled by weftc for a 2x2 device mesh with automatic sharding,
its plan printed, run as 4 MPI ranks on this machine's CPU (and as 4 local
devices in one process), checked against the single-device run and a
numpy reference, then the single-device time next to the 4-rank time.

    python3 examples/gpt_mesh.py [--repeat N] [--layers L] [--hidden H]

The split is chosen for a training step's costs (--shard-training: every replicated
weight would need its gradient all-reduced), which is what makes tensor
parallelism pay; the step that runs here is the forward pass. The mesh
topology is the one weftc is told (--mesh-topology): a fast "tp" axis and a
slower "dp" axis, as between GPUs in a node and across nodes.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
import gpt  # noqa: E402

TOPOLOGY = "latency_us=10,2;bandwidth_gbps=25,450;flops=1e11"
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "4"]


def weft_run(binary, art, feeds, out, repeat, launcher=()):
    cmd = [*launcher, f"{binary}/weft-run", str(art), "--output-dir",
           str(out), "--repeat", str(repeat)] + feeds
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"gpt_mesh: {' '.join(cmd[:8])} ... failed:\n"
                 f"{r.stdout[-2000:]}{r.stderr[-4000:]}")
    m = re.search(r"median ([0-9.]+) ms per run", r.stdout + r.stderr)
    return np.load(out / "out0.npy"), float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--bin", default=os.environ.get("WEFT_BIN",
                                                    str(ROOT / "build/bin")))
    o = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # in order with weftc
    work = pathlib.Path(tempfile.mkdtemp(prefix="weft-gpt-"))
    model = work / "gpt.mlir"
    model.write_text(gpt.gpt_model(o.layers, o.hidden, o.heads, o.batch,
                                   o.seq))
    x = np.random.default_rng(1).standard_normal(
        (o.batch * o.seq, o.hidden)).astype(np.float32)
    params = gpt.random_params(o.layers, o.hidden)
    np.save(work / "x.npy", x)
    feeds = ["--input", f"x={work / 'x.npy'}"]
    for name, value in params.items():
        np.save(work / f"{name}.npy", value)
        feeds += ["--state", f"{name}={work / (name + '.npy')}"]

    print(f"== GPT stack: {o.layers} layers, hidden {o.hidden}, {o.heads} "
          f"heads, batch {o.batch} x seq {o.seq}; mesh 2x2 (dp, tp): "
          f"{TOPOLOGY}")
    single, sharded = work / "single.weft", work / "mesh.weft"
    subprocess.run([f"{o.bin}/weftc", str(model), "-o", str(single), "-q"],
                   check=True)
    subprocess.run([f"{o.bin}/weftc", str(model), "-o", str(sharded), "-q",
                    "--mesh=2x2", "--mesh-axes=dp,tp",
                    f"--mesh-topology={TOPOLOGY}", "--shard-training", "--report"],
                   check=True)
    listing = subprocess.run([f"{o.bin}/weft-run", str(sharded), "--list"],
                             check=True, capture_output=True, text=True)
    print("".join(line + "\n" for line in listing.stdout.splitlines()
                  if not line.lstrip().startswith("state ")), end="")

    ref = gpt.reference(x, params, o.layers, o.heads, o.batch, o.seq)
    y1, t1 = weft_run(o.bin, single, feeds, work / "o1", o.repeat)
    yl, _ = weft_run(o.bin, sharded, feeds, work / "ol", 1)
    ym, tm = weft_run(o.bin, sharded, feeds, work / "om", o.repeat, MPIRUN)
    scale = float(np.abs(ref).max())
    ok = True
    for what, got, base, tol in [
            ("single device vs numpy", y1, ref, 1e-4),
            ("4 MPI ranks vs numpy", ym, ref, 1e-4),
            ("4 MPI ranks vs single device", ym, y1, 1e-5),
            ("4 local devices vs single device", yl, y1, 1e-5)]:
        err = float(np.abs(got.astype(np.float64) - base).max()) / scale
        status = "ok" if err <= tol else "FAIL"
        ok &= err <= tol
        print(f"{what}: relative error {err:.2e} (tolerance {tol:.0e}) "
              f"{status}")
    print(f"median time per forward step ({o.repeat} runs): single device "
          f"{t1:.2f} ms, 4 MPI ranks {tm:.2f} ms (ratio {tm / t1:.2f}; this "
          f"machine has {os.cpu_count()} cores for the 4 ranks)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
