# Multi-device execution equals the single-device run: an MLP, the sample
# transformer block and a CNN, compiled for meshes of 2 and 4 CPU devices
# under data parallel, tensor parallel, 2-D and pinned shardings (argument
# pins) and the automatic search (inference and training cost models), run
# with the local communicator (N devices as threads in one weft-run) and as
# N MPI ranks (mpirun weft-run). Reduction order changes with the split,
# so results agree within fp32 rounding (1e-5 relative to the largest
# magnitude), and the MLP is also checked against numpy.
# RUN: %PYTHON %s | FileCheck %s
# CHECK: mlp data parallel on 4 (local): {{.*}} ok
# CHECK: mlp data parallel on 4 (mpi): {{.*}} ok
# CHECK: mlp tensor parallel on 4 (local): {{.*}} ok
# CHECK: mlp tensor parallel on 4 (mpi): {{.*}} ok
# CHECK: mlp 2-D (dp x tp) on 2x2 (local): {{.*}} ok
# CHECK: mlp 2-D (dp x tp) on 2x2 (mpi): {{.*}} ok
# CHECK: mlp auto, training model, on 2x2 (mpi): {{.*}} ok
# CHECK: mlp auto on 2 (mpi): {{.*}} ok
# CHECK: mlp vs numpy: {{.*}} ok
# CHECK: transformer auto, training model, on 2x2 (local): {{.*}} ok
# CHECK: transformer auto, training model, on 2x2 (mpi): {{.*}} ok
# CHECK: transformer data parallel on 2 (mpi): {{.*}} ok
# CHECK: transformer vocabulary-split embedding on 2 (local): {{.*}} ok
# CHECK: transformer tensor parallel on 4 (local): {{.*}} ok
# CHECK: transformer tensor parallel on 4 (mpi): {{.*}} ok
# CHECK: cnn data parallel on 2 (mpi): {{.*}} ok
# CHECK: cnn auto, training model, on 4 (local): {{.*}} ok
# CHECK: cnn channel parallel on 2 (local): {{.*}} ok
# CHECK: cnn channel parallel on 2 (mpi): {{.*}} ok
# CHECK: cnn 2-D (batch x channels) on 2x2 (local): {{.*}} ok
# CHECK: cnn 2-D (batch x channels) on 2x2 (mpi): {{.*}} ok
# CHECK: branches: 1 collectives (1 with compute to overlap)
# CHECK: device 0: communication {{.*}} ms of it while compute ran
# CHECK: branches, all_reduce beside compute, on 2 (local): {{.*}} ok
# CHECK: branches, all_reduce beside compute, on 2 (mpi): {{.*}} ok
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np

from harness import check, gelu, linear_weights, tool

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))
import transformer_block  # noqa: E402  (inputs and the model file)

TOL = 1e-5
# Fast links so that splitting pays off at these small sizes.
TOPOLOGY = "latency_us=1,1;bandwidth_gbps=100,100;flops=1e10"


def run(mlir_text, inputs, flags=(), launcher=()):
    """Compiles and runs; returns the outputs (name -> array)."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="weft-multi-"))
    src = work / "model.mlir"
    src.write_text(mlir_text)
    art = work / "model.weft"
    subprocess.run([tool("weftc"), str(src), "-o", str(art), "-q", *flags],
                   check=True)
    listing = subprocess.run([tool("weft-run"), str(art), "--list"],
                             check=True, capture_output=True, text=True).stdout
    run.collectives = sum(int(n) for n in re.findall(
        r"(\d+) collectives/transfers", listing))
    cmd = [*launcher, tool("weft-run"), str(art), "--output-dir",
           str(work / "out")]
    for name, arr in inputs.items():
        path = work / f"in_{name}.npy"
        np.save(path, arr)
        cmd += ["--input", f"{name}={path}"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=300)
    return {p.stem: np.load(p) for p in (work / "out").glob("*.npy")}


def mpirun(n):
    return ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(n)]


def pin(mlir_text, pins):
    """Adds `dist.sharding` argument pins: {"%w1": "[B, S(1)]", ...}."""
    for arg, placements in pins.items():
        attr = f"dist.sharding = #dist.sharding<@mesh, {placements}>"
        mlir_text, n = re.subn(
            re.escape(arg) + r": (tensor<[^>]*>)( \{)?",
            lambda m: f"{arg}: {m.group(1)} {{{attr}" +
                      (", " if m.group(2) else "}"), mlir_text, count=1)
        assert n == 1, f"no argument {arg} to pin"
    return mlir_text


def compare(name, model, inputs, reference, flags, devices, pins=None,
            launchers=("local", "mpi"), communicates=True):
    """Runs the sharded model and checks it against the single-device
    reference; `communicates`: the plan must contain collectives."""
    text = pin(model, pins) if pins else model
    for how in launchers:
        got = run(text, inputs, flags,
                  mpirun(devices) if how == "mpi" else ())
        print(f"{name}: {run.collectives} collectives over {devices} "
              f"programs")
        assert run.collectives > 0 or not communicates, \
            f"{name}: the plan has no collectives"
        for key, ref in reference.items():
            check(f"{name} ({how})" + ("" if len(reference) == 1 else
                                        f" {key}"),
                  got[key], ref, TOL)


# --- MLP: x @ w1 + b1 -> gelu -> @ w2 + b2 ----------------------------------
B, D, Hd = 64, 32, 64
rng = np.random.default_rng(3)
x = rng.standard_normal((B, D)).astype(np.float32)
(w1, b1), (w2, b2) = linear_weights(rng, D, Hd), linear_weights(rng, Hd, D)
mlp = f"""
func.func @main(%x: tensor<{B}x{D}xf32> {{weft.name = "x"}},
                %w1: tensor<{D}x{Hd}xf32> {{weft.name = "w1", weft.state = "w1"}},
                %b1: tensor<{Hd}xf32> {{weft.name = "b1", weft.state = "b1"}},
                %w2: tensor<{Hd}x{D}xf32> {{weft.name = "w2", weft.state = "w2"}},
                %b2: tensor<{D}xf32> {{weft.name = "b2", weft.state = "b2"}})
    -> (tensor<{B}x{D}xf32> {{weft.name = "y"}}) {{
  %h = weft.matmul %x, %w1 : tensor<{B}x{D}xf32>, tensor<{D}x{Hd}xf32> -> tensor<{B}x{Hd}xf32>
  %a = weft.add %h, %b1 : tensor<{B}x{Hd}xf32>, tensor<{Hd}xf32>
  %g = weft.gelu %a : tensor<{B}x{Hd}xf32>
  %o = weft.matmul %g, %w2 : tensor<{B}x{Hd}xf32>, tensor<{Hd}x{D}xf32> -> tensor<{B}x{D}xf32>
  %y = weft.add %o, %b2 : tensor<{B}x{D}xf32>, tensor<{D}xf32>
  return %y : tensor<{B}x{D}xf32>
}}
"""


def dense(arr):
    """An MLIR dense literal with every float written exactly."""
    if arr.ndim == 0:
        return f"{float(arr):.9e}"
    return "[" + ", ".join(dense(a) for a in arr) + "]"


# The MLP's parameters are state, with their values as initial values
# (sharded state gets its slice on each device).
def with_init(text, arrays):
    for name, arr in arrays.items():
        values = dense(arr)
        shape = "x".join(map(str, arr.shape))
        text = text.replace(
            f'weft.state = "{name}"}}',
            f'weft.state = "{name}", weft.init = dense<{values}> : '
            f'tensor<{shape}xf32>}}')
    return text


mlp = with_init(mlp, dict(w1=w1, b1=b1, w2=w2, b2=b2))
single = run(mlp, {"x": x})["y"]
ref = {"y": single}
mesh4 = ["--mesh=4", "--mesh-topology=latency_us=1;bandwidth_gbps=100;"
         "flops=1e10"]
mesh2 = ["--mesh=2", "--mesh-topology=latency_us=1;bandwidth_gbps=100;"
         "flops=1e10"]
mesh22 = ["--mesh=2x2", "--mesh-axes=dp,tp", f"--mesh-topology={TOPOLOGY}"]
# Data parallel inference needs no communication at all.
compare("mlp data parallel on 4", mlp, {"x": x}, ref, mesh4, 4,
        {"%x": "[S(0)]", "%w1": "[B]", "%w2": "[B]"}, communicates=False)
compare("mlp tensor parallel on 4", mlp, {"x": x}, ref, mesh4, 4,
        {"%x": "[B]", "%w1": "[S(1)]", "%b1": "[S(0)]", "%w2": "[S(0)]"})
compare("mlp 2-D (dp x tp) on 2x2", mlp, {"x": x}, ref, mesh22, 4,
        {"%x": "[S(0), B]", "%w1": "[B, S(1)]", "%w2": "[B, S(0)]"})
compare("mlp auto, training model, on 2x2", mlp, {"x": x}, ref,
        mesh22 + ["--shard-training"], 4, launchers=("mpi",))
compare("mlp auto on 2", mlp, {"x": x}, ref, mesh2, 2, launchers=("mpi",),
        communicates=False)
x64 = x.astype(np.float64)
check("mlp vs numpy", single,
      (gelu(x64 @ w1 + b1) @ w2 + b2).astype(np.float32), 1e-5)

# --- the sample transformer block (token ids, embedding, attention, MLP) -----
tb_text = (ROOT / "examples" / "transformer_block.mlir").read_text()
tb_in = transformer_block.make_inputs()
tb_single = run(tb_text, tb_in)
tb_ref = {k: v for k, v in tb_single.items()}
compare("transformer auto, training model, on 2x2", tb_text, tb_in, tb_ref,
        mesh22 + ["--shard-training"], 4)
compare("transformer data parallel on 2", tb_text, tb_in, tb_ref, mesh2, 2,
        {"%ids": "[S(0)]"}, launchers=("mpi",), communicates=False)
compare("transformer vocabulary-split embedding on 2", tb_text, tb_in, tb_ref,
        mesh2, 2, {"%table": "[S(0)]"}, launchers=("local",))
# Megatron tensor parallel: Q, K, V and the MLP's first matmul column-split,
# the output projection and the second matmul row-split.
compare("transformer tensor parallel on 4", tb_text, tb_in, tb_ref, mesh4, 4,
        {"%wq": "[S(1)]", "%wk": "[S(1)]", "%wv": "[S(1)]", "%wo": "[S(0)]",
         "%w1": "[S(1)]", "%b1": "[S(0)]", "%w2": "[S(0)]"})

# --- the CNN of cnn.py -------------------------------------------------------
sys.path.insert(0, str(pathlib.Path(__file__).parent))
cnn_src = (pathlib.Path(__file__).parent / "cnn.py").read_text()
cnn_mlir = re.search(r'mlir = f"""(.*?)"""', cnn_src, re.S).group(1)
N, C, HW, F1, F2, K = 4, 3, 16, 8, 12, 10
cnn_mlir = cnn_mlir.replace("{{", "\0").replace("}}", "\1")
cnn_mlir = re.sub(r"\{([^{}]*)\}", lambda m: str(eval(m.group(1))), cnn_mlir)
cnn_mlir = cnn_mlir.replace("\0", "{").replace("\1", "}")
rng = np.random.default_rng(5)
cnn_in = dict(
    x=rng.standard_normal((N, C, HW, HW)).astype(np.float32),
    w1=(rng.standard_normal((F1, C, 3, 3)) / 5).astype(np.float32),
    b1=(0.1 * rng.standard_normal(F1)).astype(np.float32),
    w2=(rng.standard_normal((F2, F1, 3, 3)) / 8).astype(np.float32),
    wl=(rng.standard_normal((F2 * 16, K)) / 14).astype(np.float32))
cnn_ref = run(cnn_mlir, cnn_in)
compare("cnn data parallel on 2", cnn_mlir, cnn_in, cnn_ref, mesh2, 2,
        {"%x": "[S(0)]"}, launchers=("mpi",), communicates=False)
compare("cnn auto, training model, on 4", cnn_mlir, cnn_in, cnn_ref,
        mesh4 + ["--shard-training"], 4, launchers=("local",), communicates=False)
# Channel (filter) parallel: conv1 splits its filters, conv2 reduces over
# the split channels (a partial sum).
compare("cnn channel parallel on 2", cnn_mlir, cnn_in, cnn_ref, mesh2, 2,
        {"%w1": "[S(0)]", "%b1": "[S(0)]", "%w2": "[S(1)]"})
# 2-D: the batch over dp, conv1's filters over tp.
compare("cnn 2-D (batch x channels) on 2x2", cnn_mlir, cnn_in, cnn_ref,
        mesh22, 4, {"%x": "[S(0), B]", "%w1": "[B, S(0)]", "%b1": "[B, S(0)]"})

# --- overlap: a row-split matmul's all_reduce beside an independent branch -
# The plan lets the comm stream's all_reduce run while the compute stream
# does the other branch (weftc counts such collectives); the trace of a
# run shows how much did (timing: printed, not asserted).
Bb, Db = 64, 128
rng = np.random.default_rng(11)
br_in = {n: rng.standard_normal(s).astype(np.float32) for n, s in
         [("x", (Bb, Db)), ("w1", (Db, Db)), ("x2", (Bb, Db)),
          ("w2", (Db, Db))]}
branches = f"""
func.func @main(%x: tensor<{Bb}x{Db}xf32> {{weft.name = "x"}},
                %w1: tensor<{Db}x{Db}xf32> {{weft.name = "w1"}},
                %x2: tensor<{Bb}x{Db}xf32> {{weft.name = "x2"}},
                %w2: tensor<{Db}x{Db}xf32> {{weft.name = "w2"}})
    -> (tensor<{Bb}x{Db}xf32> {{weft.name = "y"}}) {{
  %a = weft.matmul %x, %w1 : tensor<{Bb}x{Db}xf32>, tensor<{Db}x{Db}xf32> -> tensor<{Bb}x{Db}xf32>
  %b = weft.matmul %x2, %w2 : tensor<{Bb}x{Db}xf32>, tensor<{Db}x{Db}xf32> -> tensor<{Bb}x{Db}xf32>
  %c = weft.gelu %b : tensor<{Bb}x{Db}xf32>
  %y = weft.add %a, %c : tensor<{Bb}x{Db}xf32>
  return %y : tensor<{Bb}x{Db}xf32>
}}
"""
br_pins = {"%x": "[S(1)]", "%w1": "[S(0)]", "%x2": "[B]", "%w2": "[B]"}
br_ref = run(branches, br_in)
work = pathlib.Path(tempfile.mkdtemp(prefix="weft-overlap-"))
(work / "m.mlir").write_text(pin(branches, br_pins))
progress = subprocess.run(
    [tool("weftc"), str(work / "m.mlir"), "-o", str(work / "m.weft"),
     *mesh2], check=True, capture_output=True, text=True).stderr
print("branches:", re.search(r"dev0: \d+ commands, (.*?), arenas",
                             progress).group(1))
feeds = []
for name, arr in br_in.items():
    np.save(work / f"{name}.npy", arr)
    feeds += ["--input", f"{name}={work / (name + '.npy')}"]
traced = subprocess.run([tool("weft-run"), str(work / "m.weft"),
                         "--trace", str(work / "t.json"), "--output-dir",
                         str(work / "o"), *feeds], check=True,
                        capture_output=True, text=True).stdout
print(next(l for l in traced.splitlines() if l.startswith("device 0:")))
compare("branches, all_reduce beside compute, on 2", branches, br_in, br_ref,
        mesh2, 2, br_pins)
