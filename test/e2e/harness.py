"""End-to-end test helpers: compile weft IR with weftc, run it with weft-run,
compare with an independent numpy reference."""
import math
import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

BIN = pathlib.Path(os.environ.get("WEFT_BIN", ""))


def tool(name):
    return str(BIN / name) if str(BIN) else name


def compile_and_run(mlir_text, inputs, extra_flags=(), workdir=None):
    """Compiles `mlir_text`, runs it on `inputs` (name -> array); returns
    the outputs as a dict name -> array."""
    work = pathlib.Path(workdir or tempfile.mkdtemp(prefix="weft-e2e-"))
    src = work / "model.mlir"
    src.write_text(mlir_text)
    art = work / "model.weft"
    subprocess.run([tool("weftc"), str(src), "-o", str(art), "-q",
                    *extra_flags], check=True)
    cmd = [tool("weft-run"), str(art), "--output-dir", str(work / "out")]
    for name, arr in inputs.items():
        path = work / f"in_{name}.npy"
        np.save(path, arr)
        cmd += ["--input", f"{name}={path}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return {p.stem: np.load(p) for p in (work / "out").glob("*.npy")}


def check(name, got, ref, rtol=1e-4):
    """Max abs error relative to the reference's max magnitude."""
    assert got.shape == ref.shape, f"{name}: shape {got.shape} vs {ref.shape}"
    assert got.dtype == ref.dtype, f"{name}: dtype {got.dtype} vs {ref.dtype}"
    if ref.size == 0:  # nothing to compare beyond shape and dtype
        print(f"{name}: relative error 0.00e+00 (empty) ok")
        return
    scale = max(float(np.abs(ref).max()), 1e-30)
    err = float(np.abs(got.astype(np.float64) - ref).max()) / scale
    status = "ok" if err <= rtol else "FAIL"
    print(f"{name}: relative error {err:.2e} (tolerance {rtol:.0e}) {status}")
    if err > rtol:
        sys.exit(1)


# numpy references of the composite ops --------------------------------------

_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def linear_weights(rng, fan_in, fan_out):
    bound = 1.0 / math.sqrt(fan_in)
    return (rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32),
            rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
