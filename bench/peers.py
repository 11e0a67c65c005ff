#!/usr/bin/env python3
"""Peer comparison: weft's forward pass against numpy, JAX (jax.jit, XLA
CPU), PyTorch eager, torch.compile (Inductor), ONNX Runtime and IREE
(llvm-cpu), on the same weights, the same CPUs and in the same run, with 2
threads each. Prints a table per model: the median time per call, its ratio
to weft's, and weft / the best peer.

    python3 bench/peers.py [--repeat N] [--calls K] [--only mlp|transformer|conv]
        [--peers numpy,jax,torch,torch.compile,onnxruntime,iree]
        [--openblas-auto]

Models (float32; defined once, in bench/cpu_models.py):
  mlp          tokens 1024 (batch 8 x seq 128), 512 -> 2048 -> 2048 -> 512,
               GELU (tanh form) between layers
  transformer  one encoder block, batch 8 x seq 128 x hidden 512, 8 heads,
               MLP 2048, pre-norm, residuals
  conv         batch 8 x 3 x 32 x 32 (NCHW): conv3x3 3 -> 32 + bias + relu,
               conv3x3 32 -> 64 stride 2 + bias + relu, global average pool,
               dense 64 -> 10

Each peer writes the same math with its own tools: numpy the reference of
cpu_models.py (BLAS matmuls, an im2col convolution); torch its functional
ops (addmm, layer_norm, scaled_dot_product_attention, conv2d), the same
function under torch.compile; JAX jax.numpy / jax.nn / lax.conv under
jax.jit; ONNX Runtime a graph built with the onnx helper API (MatMul, Gelu,
LayerNormalization, Softmax, Conv, GlobalAveragePool, ...; the weights as
initializers, as an exported model has them; all graph optimizations on);
IREE the StableHLO of the JAX function (jax.jit(f).lower(...)), compiled by
iree.compiler for the local llvm-cpu backend (--iree-llvmcpu-target-cpu=
host, --iree-opt-data-tiling, --iree-llvmcpu-enable-ukernels=all,
--iree-global-opt-use-im2col-for-convs) and run by iree.runtime's
local-task driver (the weights are arguments of the call there, as they are
for weft and JAX). weft compiles the model's weft IR with weftc and runs
the artifact in-process through its Python runtime binding
(weft._weft.Executable, what weft.compile's models call), on numpy arrays.

Timing: every system runs in its own worker process (their thread pools --
OpenBLAS, OpenMP, XLA's, ORT's, IREE's -- spin for a while after a call
and would steal the CPUs of the next system in a shared process), driven in
--repeat interleaved rounds: each round runs every system in turn (the
order rotated each round, a short pause between them), one untimed call
then --calls timed ones, each the wall time (time.perf_counter) of one
Python call from inputs already in the system's own form (numpy arrays,
torch tensors, jax / IREE device arrays) to an output ready on the host
(jax: block_until_ready; IREE: to_host()). The median over all timed calls
is quoted. Threads: 2 each -- torch.set_num_threads(2), OMP / MKL /
OpenBLAS thread counts 2 (weft's GEMMs and numpy's use OpenBLAS), ORT
intra_op_num_threads=2, IREE --task_topology_max_group_count=2, and every
worker pinned to 2 CPUs (which also sizes XLA's thread pool). weft's and
numpy's OpenBLAS pick their kernels by OPENBLAS_CORETYPE where it is set
(the development machines set Haswell, AVX2); --openblas-auto unsets it.

Before timing, every system's output is compared with numpy's (max |diff|
over max |reference|); one above 1e-3 is reported as WRONG and the script
exits with status 1 (as it does when a system fails to build or run).

Peers are optional and imported lazily; one that is not installed prints
"skipped (not installed)". To install them (e.g. into a separate target
directory, then put it on PYTHONPATH):

    pip install --target /tmp/peers torch jax onnx onnxruntime \\
        iree-base-compiler iree-base-runtime
    PYTHONPATH=build/python_packages:/tmp/peers WEFT_BIN=build/bin \\
        python3 bench/peers.py --repeat 10

weft is found as `import weft` (build/python_packages on PYTHONPATH) and
weftc in WEFT_BIN (default build/bin).
"""
import argparse
import importlib.util
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_env import THREADS, cpu_seconds  # noqa: E402  (before numpy and the peers)

import numpy as np  # noqa: E402  (after the thread settings)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import cpu_models  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("WEFT_BIN", ROOT / "build/bin"))
MODELS = dict(cpu_models.MODELS)
PEERS = ["numpy", "jax", "torch", "torch.compile", "onnxruntime", "iree"]
#: the modules each system needs
NEEDS = {"weft": ["weft"], "numpy": [], "jax": ["jax"], "torch": ["torch"],
         "torch.compile": ["torch"], "onnxruntime": ["onnx", "onnxruntime"],
         "iree": ["jax", "iree.compiler", "iree.runtime"]}
TOLERANCE = 1e-3
B, S, H, NH = 8, 128, 512, 8  # the transformer's shape (cpu_models' defaults)


def model(name):
    """(weft IR, {name: array}, numpy reference) of `name`, the same
    weights in every process (seed 0)."""
    return MODELS[name](np.random.default_rng(0))


def have(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


# --- the systems: each returns (call, inputs); call(*inputs) -> output ready
# on the host ------------------------------------------------------------------

def make_weft(name, args, work):
    from weft import _weft
    mlir, _, _ = model(name)
    src, art = work / f"{name}.mlir", work / f"{name}.weft"
    src.write_text(mlir)
    r = subprocess.run([str(BIN / "weftc"), str(src), "-o", str(art), "-q"],
                       capture_output=True, text=True)
    if r.returncode:
        errors = [ln for ln in r.stderr.splitlines() if "error" in ln]
        raise RuntimeError("weftc failed: " + (errors or [r.stderr])[0])
    exe = _weft.Executable(art.read_bytes())
    feeds = [args[n] for n, _, _ in exe.inputs()]
    return (lambda *a: exe.run(list(a))[0]), feeds


def make_numpy(name, args, work):
    ref = model(name)[2]
    return (lambda a: ref(a)), [args]


def jax_fn(name):
    """The model in jax.numpy: f(**arrays)."""
    import jax
    import jax.numpy as jnp

    def ln(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) * jax.lax.rsqrt(v + 1e-5) * g + b

    def gelu(x):
        return jax.nn.gelu(x, approximate=True)

    def mlp(x, w1, b1, w2, b2, w3, b3):
        return gelu(gelu(x @ w1 + b1) @ w2 + b2) @ w3 + b3

    def transformer(x, g1, g2, be1, be2, wq, wk, wv, wo, w1, c1, w2, c2):
        dh = H // NH
        h = ln(x, g1, be1)
        q, k, v = ((h @ w).reshape(B, S, NH, dh) for w in (wq, wk, wv))
        s = jnp.einsum("bqhd,bkhd->bhqk", q, k) * np.float32(1 / np.sqrt(dh))
        o = jnp.einsum("bhqk,bkhd->bqhd", jax.nn.softmax(s, axis=-1), v)
        x1 = x + o.reshape(B, S, H) @ wo
        return x1 + gelu(ln(x1, g2, be2) @ w1 + c1) @ w2 + c2

    def conv(x, w1, b1, w2, b2, w3, b3):
        def c(t, w, b, stride):
            y = jax.lax.conv_general_dilated(
                t, w, (stride, stride), ((1, 1), (1, 1)),
                dimension_numbers=("NCHW", "OIHW", "NCHW"))
            return jax.nn.relu(y + b[None, :, None, None])
        h = c(c(x, w1, b1, 1), w2, b2, 2)
        return h.mean((2, 3)) @ w3 + b3
    return {"mlp": mlp, "transformer": transformer, "conv": conv}[name]


def make_jax(name, args, work):
    import jax
    import jax.numpy as jnp
    f = jax.jit(jax_fn(name))
    dev = {n: jnp.asarray(a) for n, a in args.items()}
    return (lambda d: f(**d).block_until_ready()), [dev]


def torch_fn(name):
    import torch
    import torch.nn.functional as tf

    def lin(x, w, b):
        return torch.addmm(b, x, w)

    def gelu(x):
        return tf.gelu(x, approximate="tanh")

    def mlp(a):
        return lin(gelu(lin(gelu(lin(a["x"], a["w1"], a["b1"])), a["w2"],
                            a["b2"])), a["w3"], a["b3"])

    def transformer(a):
        x = a["x"]
        h = tf.layer_norm(x, (H,), a["g1"], a["be1"], 1e-5).view(B * S, H)
        q, k, v = ((h @ a[w]).view(B, S, NH, H // NH).transpose(1, 2)
                   for w in ("wq", "wk", "wv"))
        o = tf.scaled_dot_product_attention(q, k, v)
        x1 = x + (o.transpose(1, 2).reshape(B * S, H) @ a["wo"]).view(B, S, H)
        m = tf.layer_norm(x1, (H,), a["g2"], a["be2"], 1e-5).view(B * S, H)
        d = lin(gelu(lin(m, a["w1"], a["c1"])), a["w2"], a["c2"])
        return x1 + d.view(B, S, H)

    def conv(a):
        h = torch.relu(tf.conv2d(a["x"], a["w1"], a["b1"], padding=1))
        h = torch.relu(tf.conv2d(h, a["w2"], a["b2"], stride=2, padding=1))
        return lin(h.mean((2, 3)), a["w3"], a["b3"])
    return {"mlp": mlp, "transformer": transformer, "conv": conv}[name]


def make_torch(name, args, work, compiled=False):
    import torch
    torch.set_num_threads(THREADS)
    f = torch_fn(name)
    if compiled:
        f = torch.compile(f)
    ta = {n: torch.from_numpy(a) for n, a in args.items()}

    def call(a):
        with torch.inference_mode():
            return f(a)
    return call, [ta]


def onnx_model(name, args):
    """The model as an ONNX graph (opset 20), the weights as
    initializers."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    nodes, inits, count = [], [], [0]

    def op(kind, *inputs, **attrs):
        count[0] += 1
        out = f"{kind.lower()}{count[0]}"
        nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def const(n, a):
        inits.append(numpy_helper.from_array(np.asarray(a), n))
        return n

    for n, a in args.items():
        if n != "x":
            const(n, a)
    x = "x"
    if name == "mlp":
        h = op("Gelu", op("Add", op("MatMul", x, "w1"), "b1"),
               approximate="tanh")
        h = op("Gelu", op("Add", op("MatMul", h, "w2"), "b2"),
               approximate="tanh")
        y = op("Add", op("MatMul", h, "w3"), "b3")
    elif name == "transformer":
        dh = H // NH
        split = const("split_shape", np.array([B, S, NH, dh], np.int64))
        merge = const("merge_shape", np.array([B, S, H], np.int64))
        scale = const("scale", np.array(1 / np.sqrt(dh), np.float32))
        h = op("LayerNormalization", x, "g1", "be1", axis=-1, epsilon=1e-5)
        q, k, v = (op("Transpose", op("Reshape", op("MatMul", h, w), split),
                      perm=[0, 2, 1, 3]) for w in ("wq", "wk", "wv"))
        kt = op("Transpose", k, perm=[0, 1, 3, 2])
        p = op("Softmax", op("Mul", op("MatMul", q, kt), scale), axis=-1)
        o = op("Reshape", op("Transpose", op("MatMul", p, v),
                             perm=[0, 2, 1, 3]), merge)
        x1 = op("Add", x, op("MatMul", o, "wo"))
        m = op("LayerNormalization", x1, "g2", "be2", axis=-1, epsilon=1e-5)
        u = op("Gelu", op("Add", op("MatMul", m, "w1"), "c1"),
               approximate="tanh")
        y = op("Add", x1, op("Add", op("MatMul", u, "w2"), "c2"))
    else:
        h = op("Relu", op("Conv", x, "w1", "b1", pads=[1, 1, 1, 1]))
        h = op("Relu", op("Conv", h, "w2", "b2", pads=[1, 1, 1, 1],
                          strides=[2, 2]))
        p = op("Flatten", op("GlobalAveragePool", h))
        y = op("Gemm", p, "w3", "b3")
    want = model(name)[2](args)
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       list(args["x"].shape))],
        [helper.make_tensor_value_info(y, TensorProto.FLOAT,
                                       list(want.shape))], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    onnx.checker.check_model(m)
    return m.SerializeToString()


def make_onnxruntime(name, args, work):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = THREADS
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(onnx_model(name, args), so,
                                providers=["CPUExecutionProvider"])
    return (lambda x: sess.run(None, {"x": x})[0]), [args["x"]]


def make_iree(name, args, work):
    import jax
    import iree.compiler as ireec
    import iree.runtime as ireert
    names = list(args)
    f = jax_fn(name)
    lowered = jax.jit(lambda *a: f(**dict(zip(names, a)))).lower(
        *args.values())
    text = str(lowered.compiler_ir("stablehlo"))
    vmfb = ireec.compile_str(
        text, input_type="stablehlo",
        extra_args=["--iree-hal-target-device=local",
                    "--iree-hal-local-target-device-backends=llvm-cpu",
                    "--iree-llvmcpu-target-cpu=host",
                    # its CPU performance options: packed (data-tiled)
                    # layouts and microkernels (together about 2x on the
                    # MLP here), convolutions as im2col + matmul (about
                    # 10x on the conv net)
                    "--iree-opt-data-tiling",
                    "--iree-llvmcpu-enable-ukernels=all",
                    "--iree-global-opt-use-im2col-for-convs"])
    ireert.flags.parse_flags(f"--task_topology_max_group_count={THREADS}")
    config = ireert.Config("local-task")
    ctx = ireert.SystemContext(config=config)
    vm_module = ireert.VmModule.copy_buffer(ctx.instance, vmfb)
    ctx.add_vm_module(vm_module)
    fn = ctx.modules[vm_module.name]["main"]
    dev = [ireert.asdevicearray(config.device, a) for a in args.values()]
    return (lambda *a: fn(*a).to_host()), dev


MAKERS = {"weft": make_weft, "numpy": make_numpy, "jax": make_jax,
          "torch": make_torch,
          "torch.compile": lambda n, a, w: make_torch(n, a, w, True),
          "onnxruntime": make_onnxruntime, "iree": make_iree}


def versions(system):
    from importlib.metadata import version, PackageNotFoundError
    dists = {"weft": [], "numpy": ["numpy"], "jax": ["jax", "jaxlib"],
             "torch": ["torch"], "torch.compile": ["torch"],
             "onnxruntime": ["onnxruntime"],
             "iree": ["iree-base-compiler", "iree-base-runtime"]}[system]
    out = []
    if system == "weft":
        spec = importlib.util.find_spec("weft")
        out.append(f"weft from {pathlib.Path(spec.origin).parent}, weftc "
                   f"from {BIN}")
    for d in dists:
        try:
            out.append(f"{d} {version(d)}")
        except PackageNotFoundError:
            pass
    return ", ".join(out)


# --- worker processes ----------------------------------------------------------

def worker(name, system, work):
    """One system in its own process, driven over stdin/stdout (JSON lines;
    answers start with @@)."""
    work = pathlib.Path(work)

    def answer(obj):
        sys.stdout.write("@@" + json.dumps(obj) + "\n")
        sys.stdout.flush()
    t0 = time.perf_counter()
    try:
        args = model(name)[1]
        call, inputs = MAKERS[system](name, args, work)
        out = np.asarray(call(*inputs))  # the first call compiles (jit)
    except Exception as e:  # noqa: BLE001  (reported, not fatal)
        answer({"error": f"{type(e).__name__}: {str(e).strip()[:2000]}"})
        return 1
    built = time.perf_counter() - t0
    np.save(work / f"out-{system}.npy", out)
    answer({"built": built, "out": str(work / f"out-{system}.npy")})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] != "time":
            return 0
        for _ in range(cmd["warm"]):
            call(*inputs)
        times = []
        for _ in range(cmd["n"]):
            t0 = time.perf_counter()
            call(*inputs)
            times.append((time.perf_counter() - t0) * 1e3)
        answer({"times": times})
    return 0


class Worker:
    def __init__(self, name, system, work):
        self.system = system
        self.p = subprocess.Popen(
            [sys.executable, __file__, "--_worker", name, system, str(work)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.hello = self._read()

    def _read(self):
        for line in self.p.stdout:
            if line.startswith("@@"):
                return json.loads(line[2:])
        return {"error": f"the worker died (exit {self.p.wait()}); its "
                         f"messages are above"}

    def ask(self, **cmd):
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        return self._read()

    def close(self):
        try:
            self.p.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.p.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        self.p.wait()


# --- the benchmark ---------------------------------------------------------------

def bench(name, systems, opts):
    print(f"\n== {name}: building (one process per system) ...", flush=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix=f"weft-peers-{name}-"))
    _, args, ref = model(name)
    want = ref(args)
    workers, failed, diffs = {}, {}, {}
    for s in systems:
        w = Worker(name, s, work)
        if "error" in w.hello:
            failed[s] = w.hello["error"]
            w.close()
            continue
        got = np.load(w.hello["out"])
        if got.shape != want.shape:
            diffs[s] = float("inf")
        else:
            diffs[s] = float(np.abs(got.astype(np.float64) - want).max() /
                             np.abs(want).max())
        workers[s] = w

    times = {s: [] for s in workers}
    order = list(workers)
    pids = [w.p.pid for w in workers.values()]
    busy0, own0, wall0 = *cpu_seconds(pids), time.perf_counter()
    for r in range(opts.repeat):
        for s in order[r % len(order):] + order[:r % len(order)]:
            time.sleep(opts.pause)  # the last one's idle threads park
            got = workers[s].ask(op="time", warm=1, n=opts.calls)
            if "error" in got:
                failed[s] = got["error"]
                order.remove(s)
                times.pop(s, None)
                continue
            times[s] += got["times"]
    busy1, own1, wall1 = *cpu_seconds(pids), time.perf_counter()
    others = max(0.0, (busy1 - busy0) - (own1 - own0)) / (
        (wall1 - wall0) * (os.cpu_count() or 1))
    for w in workers.values():
        w.close()
    shutil.rmtree(work, ignore_errors=True)

    med = {s: statistics.median(t) for s, t in times.items() if t}
    ok = True
    print(f"{name}: median of {opts.repeat} interleaved rounds x "
          f"{opts.calls} calls, {THREADS} threads each (x weft: the "
          f"system's time / weft's; other processes used {100 * others:.0f} "
          f"% of the machine's CPUs meanwhile)")
    print(f"  {'system':14s} {'median ms':>10s} {'IQR ms':>17s} "
          f"{'x weft':>7s} {'build s':>8s}  max rel. diff vs numpy")
    for s in systems:
        if s in failed:
            print(f"  {s:14s} FAILED: {failed[s].splitlines()[0][:200]}")
            ok = False
            continue
        m = med[s]
        q1, q3 = np.percentile(times[s], [25, 75])
        ratio = f"{m / med['weft']:7.2f}" if "weft" in med else f"{'-':>7s}"
        wrong = not diffs[s] <= TOLERANCE  # NaN too
        ok &= not wrong
        flag = ("   <<<<<< WRONG ANSWER (tolerance "
                f"{TOLERANCE:.0e}) >>>>>>" if wrong else "")
        print(f"  {s:14s} {m:10.3f} {q1:8.3f}-{q3:8.3f} {ratio} "
              f"{workers[s].hello['built']:8.1f}  {diffs[s]:.1e}{flag}")
    peers = [s for s in med if s != "weft"]
    if "weft" in med and peers:
        best = min(peers, key=med.get)
        print(f"  best peer: {best} {med[best]:.3f} ms; weft / best peer "
              f"{med['weft'] / med[best]:.2f} (below 1: weft is faster)")
    return ok, med


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10,
                    help="interleaved rounds")
    ap.add_argument("--calls", type=int, default=3,
                    help="timed calls per system and round")
    ap.add_argument("--only", choices=list(MODELS))
    ap.add_argument("--peers", default=",".join(PEERS),
                    help="comma list of " + ", ".join(PEERS))
    ap.add_argument("--pause", type=float, default=0.3,
                    help="seconds between systems in a round")
    ap.add_argument("--openblas-auto", action="store_true",
                    help="unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for "
                    "this run (weft and numpy use OpenBLAS)")
    ap.add_argument("--_worker", nargs=3, help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts._worker:
        return worker(*opts._worker)

    wanted = [p for p in opts.peers.split(",") if p]
    unknown = [p for p in wanted if p not in PEERS]
    if unknown:
        ap.error(f"unknown peer(s) {', '.join(unknown)} (known: "
                 f"{', '.join(PEERS)})")
    systems = []
    print(f"weft peer benchmark: {os.cpu_count()} cores, {THREADS} threads "
          f"each, CPUs {sorted(os.sched_getaffinity(0))}, OPENBLAS_CORETYPE="
          f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    for s in ["weft"] + wanted:
        missing = [m for m in NEEDS[s] if not have(m)]
        if missing:
            print(f"  {s:14s} skipped (not installed: {', '.join(missing)})")
        else:
            systems.append(s)
            print(f"  {s:14s} {versions(s)}")
    ok = True
    for name in MODELS:
        if opts.only in (None, name):
            ok &= bench(name, systems, opts)[0]
    if not ok:
        print("\nWRONG ANSWERS or FAILED systems: see the tables above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
