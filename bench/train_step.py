#!/usr/bin/env python3
"""Training-step benchmark: one compiled step of weft (forward + backward +
AdamW, `weft.compile_train`) next to PyTorch eager, torch.compile (Inductor)
and JAX (`jax.value_and_grad` and an AdamW update in jax.numpy, jitted
together), on the same initial weights and the same CPUs, with 2 threads
each. Prints the median step time of each and its ratio to the best peer,
then the step's memory: weft's planned arenas (and their lower bound) next
to the peak RSS increase of one step of each framework.

    python3 bench/train_step.py [--rounds N] [--steps N]
        [--only mlp|transformer] [--no-memory] [--no-profile]
        [--openblas-auto]

Models (float32, weft.nn modules, their initial weights copied to the peers):
  transformer  weft.nn.TransformerBlock(512, 8 heads, MLP 2048): pre-norm,
               exact GELU, on x [8, 128, 512] (batch 8 x seq 128 x hidden 512)
  mlp          Linear 512 -> 2048, GELU (tanh), 2048 -> 2048, GELU (tanh),
               2048 -> 512 on x [1024, 512] (the tokens of batch 8 x seq 128)
Loss: mean squared error against a fixed random target of the output's
shape, mean((model(x) - y) ** 2) (taken as the mean of per-row means; the
same form in every framework, see loss_of). Optimizer: AdamW, lr 1e-3, betas
(0.9, 0.999), eps 1e-8, weight decay 0.01 (torch.optim.AdamW's rule).

Before timing, the first losses of each peer are checked against weft's
(the same weights and hyperparameters: relative difference <= 1e-4).
Timing: each framework runs in its own worker process (their thread pools
would otherwise spin on each other's CPUs), driven in interleaved rounds:
each round runs every framework in turn (a rotated order per round, a short
pause between them); in a round each takes 2 untimed steps, then --steps
timed ones; the median over all timed steps is quoted, with the share of
the CPUs that other processes used meanwhile. Every framework gets 2
threads (torch.set_num_threads(2), OMP/MKL/OpenBLAS thread counts 2, the
processes pinned to 2 CPUs, which also sizes XLA's thread pool). Peers are
optional: one that is not installed is skipped with a note.

weft generates its f32 GEMMs on AVX-512 machines (weft-select-library-calls'
measured rule, docs/Fusion.md); on narrower targets they use OpenBLAS, whose
kernel family follows OPENBLAS_CORETYPE where it is set (the development
machines set Haswell, i.e. AVX2); --openblas-auto unsets it for the run, and
weft then names the family from the CPU's features. torch uses MKL, XLA its
own kernels; neither reads the variable.

Memory: weft's step uses two planned arenas: @activations (everything
transient in a step: activations kept for the backward pass, gradients,
temporaries) and @state (parameters and AdamW moments, persistent); both
are read from the compiled plan (`step.mlir("plan")`, `plan.arena ... size
= N {weft.lower_bound = L}`, the lower bound being the largest set of
simultaneously live buffers). Each framework's RSS figure is measured in a
fresh subprocess: after 2 warm-up steps (compilation, the optimizer's
moments allocated), the kernel's peak-RSS mark is reset
(`/proc/self/clear_refs` 5), one step runs, and VmHWM minus the RSS before
the step (the median over 3 such steps) is the step's transient memory,
comparable to @activations. glibc's malloc runs with a fixed mmap
threshold (MALLOC_MMAP_THRESHOLD_) so that large freed tensors go back to
the kernel and are not reused unseen from a warm heap.
"""
import argparse
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

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(os.environ.get("WEFT_BIN", ROOT / "build/bin"))
B, S, H, NH, F = 8, 128, 512, 8, 2048
LR, BETAS, EPS, WD = 1e-3, (0.9, 0.999), 1e-8, 0.01
MODELS = ("transformer", "mlp")


def have(module):
    import importlib.util
    return importlib.util.find_spec(module) is not None


# --- the models --------------------------------------------------------------

def weft_model(name):
    import weft
    import weft.nn as wn
    if name == "transformer":
        model = wn.TransformerBlock(H, NH, F, seed=0)
        x_shape = (B, S, H)
    else:
        model = wn.Sequential(
            wn.Linear(H, F, seed=1), wn.GELU("tanh"),
            wn.Linear(F, F, seed=2), wn.GELU("tanh"),
            wn.Linear(F, H, seed=3))
        x_shape = (B * S, H)
    rng = np.random.default_rng(7)
    x = rng.standard_normal(x_shape).astype(np.float32)
    y = rng.standard_normal(x_shape).astype(np.float32)
    return weft, model, x, y


def loss_of(sq):
    """mean(sq), as the mean over the last axis, then over the rest: weft's
    full reduce_mean accumulates all 2^19 elements in one f32 sum (a
    relative error near 2e-4 here), its per-row means do not."""
    return sq.mean(-1).mean()


def weft_step(name):
    """(step function, x, y, initial weights, the TrainStep)"""
    weft, model, x, y = weft_model(name)
    weights = model.state_dict()

    def loss_fn(out, target):
        d = out - target
        return loss_of(d * d)
    step = weft.compile_train(
        model, loss_fn, weft.optim.AdamW(lr=LR, betas=BETAS, eps=EPS,
                                         weight_decay=WD), (x, y))
    return (lambda: float(step(x, y))), x, y, weights, step


def torch_module(name):
    from torch import nn
    import torch.nn.functional as tf

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v, self.o = (nn.Linear(H, H)
                                              for _ in range(4))

        def forward(self, x):
            b, s, d = x.shape

            def split(t):
                return t.view(b, s, NH, d // NH).transpose(1, 2)
            o = tf.scaled_dot_product_attention(
                split(self.q(x)), split(self.k(x)), split(self.v(x)))
            return self.o(o.transpose(1, 2).reshape(b, s, d))

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(H, F), nn.Linear(F, H)

        def forward(self, x):
            return self.fc2(tf.gelu(self.fc1(x)))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn = nn.LayerNorm(H), Attention()
            self.ln2, self.mlp = nn.LayerNorm(H), Mlp()

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    if name == "transformer":
        return Block()
    return nn.Sequential(nn.Linear(H, F), nn.GELU("tanh"), nn.Linear(F, F),
                         nn.GELU("tanh"), nn.Linear(F, H))


def torch_step(name, weights, x, y, compiled):
    import torch
    torch.set_num_threads(THREADS)
    model = torch_module(name)
    model.load_state_dict({k: torch.from_numpy(v.copy())
                           for k, v in weights.items()})
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, eps=EPS,
                            weight_decay=WD)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step(xx, yy):
        loss = loss_of((model(xx) - yy) ** 2)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss.detach()
    if compiled:
        step = torch.compile(step)
    return lambda: float(step(tx, ty))


def jax_step(name, weights, x, y):
    import jax
    import jax.numpy as jnp
    b1, b2 = BETAS

    def linear(p, pre, t):
        return t @ p[pre + ".weight"].T + p[pre + ".bias"]

    def layer_norm(p, pre, t):
        m = t.mean(-1, keepdims=True)
        v = ((t - m) ** 2).mean(-1, keepdims=True)
        return (t - m) * jax.lax.rsqrt(v + 1e-5) * p[pre + ".weight"] + \
            p[pre + ".bias"]

    def forward(p, t):
        if name == "mlp":
            t = jax.nn.gelu(linear(p, "0", t), approximate=True)
            t = jax.nn.gelu(linear(p, "2", t), approximate=True)
            return linear(p, "4", t)
        b, s, d = t.shape
        h = layer_norm(p, "ln1", t)

        def split(u):
            return u.reshape(b, s, NH, d // NH).transpose(0, 2, 1, 3)
        q, k, v = (split(linear(p, f"attn.{n}", h)) for n in "qkv")
        a = jax.nn.softmax(jnp.einsum("bhqd,bhkd->bhqk", q, k) /
                           np.float32(np.sqrt(d // NH)), axis=-1)
        o = jnp.einsum("bhqk,bhkd->bhqd", a, v).transpose(0, 2, 1, 3)
        t = t + linear(p, "attn.o", o.reshape(b, s, d))
        h = layer_norm(p, "ln2", t)
        return t + linear(p, "mlp.fc2", jax.nn.gelu(
            linear(p, "mlp.fc1", h), approximate=False))

    def loss_fn(p, t, target):
        return loss_of((forward(p, t) - target) ** 2)

    def train(p, m, v, count, t, target):
        loss, g = jax.value_and_grad(loss_fn)(p, t, target)
        count = count + 1
        c1, c2 = 1 - b1 ** count, 1 - b2 ** count
        m = jax.tree.map(lambda mm, gg: b1 * mm + (1 - b1) * gg, m, g)
        v = jax.tree.map(lambda vv, gg: b2 * vv + (1 - b2) * gg * gg, v, g)
        p = jax.tree.map(
            lambda pp, mm, vv: pp * (1 - LR * WD) - (LR / c1) * mm /
            (jnp.sqrt(vv) / jnp.sqrt(c2) + EPS), p, m, v)
        return loss, p, m, v, count

    jitted = jax.jit(train, donate_argnums=(0, 1, 2, 3))
    st = {"p": {k: jnp.asarray(w) for k, w in weights.items()}}
    st["m"] = {k: jnp.zeros_like(w) for k, w in st["p"].items()}
    st["v"] = {k: jnp.zeros_like(w) for k, w in st["p"].items()}
    st["c"] = jnp.zeros((), jnp.float32)
    jx, jy = jnp.asarray(x), jnp.asarray(y)

    def step():
        loss, st["p"], st["m"], st["v"], st["c"] = jitted(
            st["p"], st["m"], st["v"], st["c"], jx, jy)
        return float(loss)  # waits for the result
    return step


def make_step(name, framework):
    """(step(), the weft TrainStep or None, x, y) for one framework; each
    step returns the loss before its update."""
    if framework == "weft":
        step, x, y, _, train = weft_step(name)
        return step, train, x, y
    _, model, x, y = weft_model(name)  # the same initial weights
    weights = model.state_dict()
    if framework == "jax":
        return jax_step(name, weights, x, y), None, x, y
    return torch_step(name, weights, x, y, framework == "torch.compile"), \
        None, x, y


def worker(name, framework):
    """One framework in its own process, driven over stdin/stdout (JSON
    lines; answers start with @@): its thread pools (OpenBLAS, OpenMP,
    XLA's) then never share a process with another's, whose idle threads
    spin for a while after each call and would steal the CPUs."""
    t0 = time.perf_counter()
    step, train, x, y = make_step(name, framework)
    built = time.perf_counter() - t0

    def answer(obj):
        sys.stdout.write("@@" + json.dumps(obj) + "\n")
        sys.stdout.flush()
    answer({"built": built})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "check":
            losses, first = [], None
            for i in range(cmd["n"]):
                t0 = time.perf_counter()
                losses.append(step())
                first = first or time.perf_counter() - t0
            answer({"losses": losses, "first": first})
        elif cmd["op"] == "time":
            for _ in range(cmd["warm"]):
                step()
            times = []
            for _ in range(cmd["n"]):
                t0 = time.perf_counter()
                step()
                times.append((time.perf_counter() - t0) * 1e3)
            answer({"times": times})
        elif cmd["op"] == "info":  # weft: the plan's arenas, the artifact
            work = pathlib.Path(cmd["dir"])
            train.save(work / "step.weft")
            np.save(work / "x.npy", x)
            np.save(work / "y.npy", y)
            params = sum(int(np.prod(sh)) * 4 for n, _, sh in
                         train._exe.state_specs()
                         if not n.startswith("optimizer.") and
                         not n.endswith((".exp_avg", ".exp_avg_sq")))
            answer({"arenas": arenas(train), "params": params,
                    "inputs": [n for n, _, _ in train.input_specs]})
        else:
            return


class Worker:
    def __init__(self, name, framework):
        self.fw = framework
        self.p = subprocess.Popen(
            [sys.executable, __file__, "--_worker", name, framework],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.built = self._read()["built"]

    def _read(self):
        for line in self.p.stdout:
            if line.startswith("@@"):
                return json.loads(line[2:])
        sys.exit(f"bench: the {self.fw} worker died (exit "
                 f"{self.p.wait()}); its messages are above")

    def ask(self, **cmd):
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        return self._read()

    def close(self):
        self.p.stdin.write(json.dumps({"op": "quit"}) + "\n")
        self.p.stdin.close()
        self.p.wait()


# --- weft's memory plan and profile ------------------------------------------

def arenas(train):
    """{arena name: (size, lower bound, persistent)} from the step's plan."""
    import re
    out = {}
    for m in re.finditer(r"plan\.arena @(\S+) kind = \w+ size = (\d+)"
                         r"( persistent)?\s*\{([^}]*)\}", train.mlir("plan")):
        lb = re.search(r"weft\.lower_bound = (\d+)", m.group(4))
        out[m.group(1)] = (int(m.group(2)), int(lb.group(1)) if lb else None,
                           bool(m.group(3)))
    return out


def profile(work, names, top=6):
    """The weft step's kernels by total time (weft-run --trace, one step)."""
    cmd = [str(BIN / "weft-run"), str(work / "step.weft"), "--repeat", "3",
           "--trace", str(work / "trace.json"),
           "--input", f"{names[0]}={work / 'x.npy'}",
           "--input", f"{names[1]}={work / 'y.npy'}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        return f"(weft-run --trace failed: {r.stderr.strip()[-300:]})"
    events = [e for e in json.loads((work / "trace.json").read_text())
              ["traceEvents"] if e.get("ph") == "X"]
    total = sum(e["dur"] for e in events)
    agg = {}
    for e in events:
        n, d = agg.get(e["name"], (0, 0.0))
        agg[e["name"]] = (n + 1, d + e["dur"])
    rows = sorted(agg.items(), key=lambda kv: -kv[1][1])
    lines = [f"    {k:28s} x{n:<4d} {d / 1e3:8.2f} ms  "
             f"{100 * d / total:5.1f} %"
             for k, (n, d) in rows[:top]]
    last = max((i for i, e in enumerate(events) if "gemm" in e["name"]),
               default=-1)
    upd = events[last + 1:]
    rest = sum(d for _, (_, d) in rows[top:])
    lines.append(f"    {'(the other ' + str(len(rows) - top) + ' kinds)':28s}"
                 f"       {rest / 1e3:8.2f} ms  {100 * rest / total:5.1f} %")
    upd_ms = sum(e["dur"] for e in upd) / 1e3
    lines.append(f"    after the last GEMM (mostly the AdamW update): "
                 f"{len(upd)} kernels, {upd_ms:.2f} ms")
    return (f"  weft step profile (weft-run --trace, last of 3 runs: "
            f"{len(events)} kernels, {total / 1e3:.1f} ms):\n" +
            "\n".join(lines))


# --- memory: one framework in a fresh process --------------------------------

def _status():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) * 1024
    return out


def memory_child(name, framework):
    """Prints {"delta": bytes}: the peak RSS increase of one step after two
    warm-up steps (median of 3 such steps)."""
    import gc
    step = make_step(name, framework)[0]
    gc.collect()
    for _ in range(2):
        step()
    deltas = []
    for _ in range(3):
        gc.collect()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # VmHWM := VmRSS
        before = _status()["VmRSS"]
        step()
        deltas.append(_status()["VmHWM"] - before)
    print(json.dumps({"delta": statistics.median(deltas),
                      "rss": _status()["VmRSS"]}))


def measure_memory(name, framework):
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072",
               MALLOC_TRIM_THRESHOLD_="131072")
    r = subprocess.run([sys.executable, __file__, "--_memory", name,
                        framework], capture_output=True, text=True, env=env,
                       timeout=900)
    if r.returncode:
        return None, r.stderr.strip().splitlines()[-1:] or ["failed"]
    return json.loads(r.stdout.strip().splitlines()[-1]), None


# --- the benchmark -----------------------------------------------------------


def mb(n):
    return f"{n / 2**20:7.1f} MiB"


def bench(name, peers, opts):
    print(f"== {name}: compiling (one process per framework)")
    workers = {fw: Worker(name, fw) for fw in ["weft"] + peers}
    print("  built in " + ", ".join(f"{fw} {w.built:.1f} s" for fw, w in
                                    workers.items()) +
          " (torch.compile and jax compile on their first step)")

    # numerics: the first losses of each against weft's
    checks = {fw: w.ask(op="check", n=opts.check) for fw, w in
              workers.items()}
    ok = True
    print(f"  first {opts.check} losses (same weights and AdamW "
          f"hyperparameters; tolerance 1e-4 relative to weft):")
    ref = np.array(checks["weft"]["losses"], np.float64)
    for fw, c in checks.items():
        ls = np.array(c["losses"], np.float64)
        rel = float(np.max(np.abs(ls - ref) / np.abs(ref)))
        good = rel <= 1e-4
        ok &= good
        print(f"    {fw:14s} " + " ".join(f"{v:.7f}" for v in ls) +
              ("" if fw == "weft" else
               f"   max rel. diff {rel:.1e} {'ok' if good else 'FAIL'}") +
              f"   (first step {c['first']:.1f} s)")

    # interleaved timing
    times = {fw: [] for fw in workers}
    order = list(workers)
    pids = [w.p.pid for w in workers.values()]
    busy0, own0, wall0 = *cpu_seconds(pids), time.perf_counter()
    for r in range(opts.rounds):
        for fw in order[r % len(order):] + order[:r % len(order)]:
            time.sleep(opts.pause)  # the last one's idle threads park
            times[fw] += workers[fw].ask(op="time", warm=2,
                                         n=opts.steps)["times"]
    busy1, own1, wall1 = *cpu_seconds(pids), time.perf_counter()
    others = max(0.0, (busy1 - busy0) - (own1 - own0)) / (
        (wall1 - wall0) * (os.cpu_count() or 1))
    med = {fw: statistics.median(t) for fw, t in times.items()}
    best = min((fw for fw in med if fw != "weft"), key=med.get, default=None)
    print(f"  step time, median of {opts.rounds} interleaved rounds x "
          f"{opts.steps} steps (forward + backward + AdamW; other "
          f"processes used {100 * others:.0f} % of the machine's CPUs "
          f"meanwhile):")
    for fw, m in med.items():
        q1, q3 = np.percentile(times[fw], [25, 75])
        ratio = f"   weft/{fw} {med['weft'] / m:5.2f}" if fw != "weft" else ""
        print(f"    {fw:14s} {m:8.1f} ms  (IQR {q1:.1f}-{q3:.1f}){ratio}")
    if best:
        print(f"  weft / best peer ({best}): {med['weft'] / med[best]:.2f} "
              f"(below 1: weft is faster)")

    work = pathlib.Path(tempfile.mkdtemp(prefix="weft-bench-train-"))
    info = workers["weft"].ask(op="info", dir=str(work))
    for w in workers.values():
        w.close()

    # memory
    params = info["params"]
    print(f"  memory ({params / 4 / 1e6:.2f} M parameters, {mb(params)}):")
    for a, (size, lb, persistent) in info["arenas"].items():
        what = "persistent: parameters + AdamW moments" if persistent else \
            "per step: activations, gradients, temporaries"
        lbs = f"lower bound {mb(lb)}, " if lb is not None else ""
        print(f"    weft arena @{a:11s} {mb(size)} ({lbs}{what})")
    if not opts.no_memory:
        print("    peak RSS increase of one step (fresh process, after 2 "
              "warm-up steps; compare with @activations):")
        for fw in ["weft"] + [p for p in peers if p in opts.memory_of]:
            got, err = measure_memory(name, fw)
            if got is None:
                print(f"      {fw:14s} failed: {err[0]}")
            else:
                note = " (its arenas are allocated once, when loaded)" \
                    if fw == "weft" else ""
                print(f"      {fw:14s} {mb(got['delta'])}{note}")
    if not opts.no_profile:
        print(profile(work, info["inputs"]))
    shutil.rmtree(work, ignore_errors=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=8,
                    help="timed steps per framework and round")
    ap.add_argument("--check", type=int, default=3,
                    help="losses compared before timing")
    ap.add_argument("--only", choices=MODELS)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--memory-of", default="torch,torch.compile,jax",
                    help="peers whose step memory is measured (comma list)")
    ap.add_argument("--openblas-auto", action="store_true",
                    help="unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for "
                    "this run, so that weft picks the OpenBLAS kernels for "
                    "this CPU (e.g. SkylakeX where AVX-512 is there)")
    ap.add_argument("--pause", type=float, default=0.5,
                    help="seconds between frameworks in a round")
    ap.add_argument("--_memory", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--_worker", nargs=2, help=argparse.SUPPRESS)
    opts = ap.parse_args()
    opts.memory_of = opts.memory_of.split(",")
    if opts._memory:
        return memory_child(*opts._memory)
    if opts._worker:
        return worker(*opts._worker)

    peers = []
    versions = []
    from importlib.metadata import version  # no import: no thread pools here
    if have("torch"):
        peers += ["torch", "torch.compile"]
        versions.append(f"torch {version('torch')}")
    else:
        print("torch: not installed, skipped (torch eager and torch.compile; "
              "pip install torch to compare)")
    if have("jax"):
        peers.append("jax")
        versions.append(f"jax {version('jax')} (jaxlib {version('jaxlib')})")
    else:
        print("jax: not installed, skipped (pip install jax to compare)")
    ct = os.environ.get("OPENBLAS_CORETYPE")
    blas = (f"OPENBLAS_CORETYPE={ct} (as set here)" if ct else
            "kernels picked by weft for this CPU")
    print(f"weft training-step benchmark: {os.cpu_count()} cores, "
          f"{THREADS} threads each, CPUs {sorted(os.sched_getaffinity(0))}; "
          f"{', '.join(versions) or 'no peers'}; weft's f32 GEMMs: generated "
          f"with AVX-512, else OpenBLAS ({blas})")
    ok = True
    for name in MODELS:
        if opts.only in (None, name):
            ok &= bench(name, peers, opts)
    if not ok:
        print("numerics check FAILED (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
