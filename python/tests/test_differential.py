"""Randomized differential test: random graphs of weft ops built through the
Python API, compiled with `weft.compile`, against an independent numpy
reference (float64 for floats, exact int64 for integers).

Each graph holds several independent random expressions, returned as
separate outputs, so that one compilation checks many of them. An expression
starts from a fresh input and applies one to four random ops: elementwise
binaries with broadcasting (odd and size-1 dims, 0-d tensors, Python
scalars on either side), unary math, casts, matmul with transposed operands,
reductions over every kind of axis argument with and without keepdims,
softmax / layer_norm / rms_norm, reshape / transpose / slicing / concat,
embedding and cross_entropy; in float32, float16, bfloat16 (cast from
float32 inputs, since numpy has no bfloat16), float64, int8, int32 and
int64.

Tolerances: integers are compared exactly. A float output may differ from
the reference by RTOL * err, where RTOL is that of the least precise float
dtype the expression went through (a few roundings' worth) and err is a
first-order error bound propagated op by op: inputs are exact; each op adds
one rounding at the largest magnitude it reads or writes, plus its inputs'
errors times its gain (n times for a sum of n terms, 1/std for layer_norm,
...), plus the rounding of every step of an accumulation (float32, or
float64 for float64). Generation
rejects values that would overflow their dtype, so results are never
undefined.

Budget: WEFT_DIFF_GRAPHS graphs (default 200) from WEFT_DIFF_SEED (default
fixed), starting at graph WEFT_DIFF_FIRST (default 0). A failure names the
seed, the graph and the expression, and how to re-run just that graph;
WEFT_DIFF_LOG=path appends failures to a file as well.

float16/bfloat16 reductions, matmuls, softmax and norms of any size are
generated: the compiler accumulates them in float32 (they used to
accumulate in 16 bits, which this test was first written around). Integer
division is not generated (`/` on integers is true division in Python).
"""
import math
import os

import numpy as np
import pytest

import weft
import weft.functional as F

SEED = int(os.environ.get("WEFT_DIFF_SEED", "20250101"))
GRAPHS = int(os.environ.get("WEFT_DIFF_GRAPHS", "200"))
FIRST = int(os.environ.get("WEFT_DIFF_FIRST", "0"))
CHUNK = 20  # graphs per pytest case

FLOATS = ("float32", "float16", "bfloat16", "float64")
INTS = ("int8", "int32", "int64")
RTOL = {"float32": 2e-6, "float16": 2e-3, "bfloat16": 1.6e-2,
        "float64": 4e-15}
# Rounding of one accumulation step: float32, except for float64.
ACC_U = {"float64": 2.0 ** -53}
ACC_U_DEFAULT = 2.0 ** -24
# The most elements a 16-bit float reduction, matmul or normalization may
# combine (no limit: they accumulate in float32).
MAX_16BIT_REDUCTION = 1 << 30
MAX_ABS = {"float32": 1e4, "float16": 1e3, "bfloat16": 1e3,
           "float64": 1e4}
DIMS = (1, 1, 2, 3, 4, 5, 7)
BIG_DIMS = (8, 16, 17, 33, 64)  # past vector widths and tile sizes
MAX_SIZE = 1024


def to_bfloat16(x):
    """float64 values rounded to the nearest bfloat16 (ties to even)."""
    bits = np.asarray(x, np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(np.float32).astype(np.float64)


def describe(shape):
    return "[" + ", ".join(map(str, shape)) + "]"


class Node:
    """One value of an expression: its weft dtype, its reference value, how
    to build it while tracing, and its error bound: |weft - ref| <= rtol *
    err."""

    count = 0

    def __init__(self, dtype, ref, build, text, err=0.0, rtol=0.0,
                 leaf=False):
        self.dtype = dtype
        self.ref = np.asarray(ref, np.int64 if dtype in INTS else np.float64)
        self.build_fn = build
        self.text = text
        self.err = float(err)
        self.rtol = max(rtol, RTOL.get(dtype, 0.0))
        self.leaf = leaf
        self.id = Node.count
        Node.count += 1

    @property
    def shape(self):
        return self.ref.shape

    @property
    def ndim(self):
        return self.ref.ndim

    def abs_max(self):
        return float(np.abs(self.ref).max()) if self.ref.size else 0.0

    def build(self, env):
        if self.id not in env:
            env[self.id] = self.build_fn(env)
        return env[self.id]

    def valid(self):
        """False when the value would overflow its dtype or is not finite:
        such an expression has no defined result to compare."""
        if self.dtype in INTS:
            info = np.iinfo(self.dtype)
            return bool(((self.ref >= info.min) & (self.ref <= info.max))
                        .all())
        return bool(np.isfinite(self.ref).all()) and \
            max(self.abs_max(), self.err) <= MAX_ABS[self.dtype]


def child(dtype, ref, build, text, parents, prop=0.0, acc=0.0, rounds=True):
    """A node computed from `parents`. `prop`: the parents' errors as they
    reach the result; `acc`: the sum over an accumulation's steps of the
    magnitude of the partial result. Unless the op only moves data
    (`rounds=False`), adds one rounding at the largest float magnitude read
    or written."""
    rtol = max([p.rtol for p in parents] + [0.0])
    ref = np.asarray(ref)
    mags = [float(np.abs(ref).max(initial=0))] + \
        [p.abs_max() for p in parents if p.dtype in FLOATS]
    node = Node(dtype, ref, build, text, 0.0, rtol)
    if dtype in FLOATS:
        node.err = prop + (max(mags) if rounds else 0.0) + \
            acc * ACC_U.get(dtype, ACC_U_DEFAULT) / node.rtol
    return node


class Graph:
    """Random inputs and random expressions over them."""

    def __init__(self, rng):
        self.rng = rng
        self.inputs = []  # numpy arrays

    # Leaves ------------------------------------------------------------------
    def shape(self, rank=None):
        rng = self.rng
        if rank is None:
            rank = int(rng.choice([0, 1, 2, 2, 3, 3, 4]))
        shape = [int(rng.choice(BIG_DIMS if rng.random() < 0.15 else DIMS))
                 for _ in range(rank)]
        while math.prod(shape) > MAX_SIZE:
            shape[int(np.argmax(shape))] = 1
        return tuple(shape)

    def leaf(self, dtype, shape, low=None, high=None):
        rng = self.rng
        i = len(self.inputs)
        if dtype in INTS:
            lo, hi = (-8, 9) if low is None else (low, high)
            arr = rng.integers(lo, hi, shape).astype(dtype)
            self.inputs.append(arr)
            return Node(dtype, arr, lambda env: env["args"][i],
                        f"in{i}:{dtype}{describe(shape)}", leaf=True)
        vals = rng.standard_normal(shape) * float(rng.choice([0.5, 1, 2]))
        if low is not None:
            vals = rng.uniform(low, high, shape)
        if dtype == "bfloat16":
            arr = vals.astype(np.float32)
            self.inputs.append(arr)
            return Node(dtype, to_bfloat16(arr),
                        lambda env: env["args"][i].astype("bfloat16"),
                        f"in{i}:bfloat16{describe(shape)}", leaf=True)
        arr = vals.astype(dtype)
        self.inputs.append(arr)
        return Node(dtype, arr.astype(np.float64),
                    lambda env: env["args"][i],
                    f"in{i}:{dtype}{describe(shape)}", leaf=True)

    def broadcast_partner_shape(self, shape):
        """A shape that broadcasts with `shape`: fewer leading dims, some
        dims 1, or extra leading dims."""
        rng = self.rng
        # Dims of 1 may face any size: both operands can broadcast.
        out = [int(rng.choice(DIMS)) if d == 1 and rng.random() < 0.3 else
               1 if rng.random() < 0.3 else d for d in shape]
        if out and rng.random() < 0.4:
            out = out[int(rng.integers(0, len(out) + 1)):]
        elif rng.random() < 0.25 and len(out) < 4:
            out = [int(rng.choice(DIMS))] + out
        limit = max(MAX_SIZE, math.prod(shape))
        while math.prod(np.broadcast_shapes(tuple(out), shape)) > limit:
            tail = shape[len(shape) - len(out):] if out else ()
            out = out[1:] if len(out) > len(shape) else [
                d if d == s else 1 for d, s in zip(out, tail)]
        return tuple(out)

    # Expressions -------------------------------------------------------------
    def expression(self):
        rng = self.rng
        dtype = str(rng.choice(FLOATS + INTS,
                               p=[.26, .13, .13, .12, .1, .15, .11]))
        node = self.leaf(dtype, self.shape())
        for _ in range(int(rng.integers(1, 5))):
            for _attempt in range(8):
                op = OPS[int(rng.integers(len(OPS)))]
                new = op(self, node)
                if new is not None and new.valid():
                    node = new
                    break
        return node


# Ops: each takes (graph, node) and returns a new node, or None when it does
# not apply to that node.
def _scalar(g, node):
    rng = g.rng
    if node.dtype in INTS and rng.random() < 0.5:
        return int(rng.integers(-5, 6))
    return float(rng.choice([0.5, -1.5, 2.0, 0.25, 3.0]))


def _promoted(dtype, scalar):
    """The dtype of `tensor op scalar`: the rule in Tensor's docstring."""
    if dtype in INTS and isinstance(scalar, float):
        return "float32"
    return dtype


def _ref_binary(name, a, b):
    return {"add": np.add, "sub": np.subtract, "mul": np.multiply,
            "maximum": np.maximum, "minimum": np.minimum}[name](a, b)


def _weft_binary(name, a, b):
    if name == "add":
        return a + b
    if name == "sub":
        return a - b
    if name == "mul":
        return a * b
    return getattr(F, name)(a, b)


def op_binary(g, a):
    rng = g.rng
    name = str(rng.choice(["add", "sub", "mul", "maximum", "minimum"]))
    how = rng.random()
    if how < 0.3:  # a Python scalar, on either side
        s = _scalar(g, a)
        dtype = _promoted(a.dtype, s)
        swap = rng.random() < 0.5
        sref = np.float64(s) if isinstance(s, float) else np.int64(s)
        ref = _ref_binary(name, sref, a.ref) if swap else \
            _ref_binary(name, a.ref, sref)

        def build(env):
            x = a.build(env)
            return _weft_binary(name, s, x) if swap else \
                _weft_binary(name, x, s)
        prop = a.err * (abs(s) if name == "mul" else 1)
        text = f"{name}({s!r}, {a.text})" if swap else \
            f"{name}({a.text}, {s!r})"
        return child(dtype, ref, build, text, [a], prop)
    b = a if how < 0.4 else g.leaf(a.dtype,
                                   g.broadcast_partner_shape(a.shape))
    swap = rng.random() < 0.5
    x, y = (b, a) if swap else (a, b)
    ref = _ref_binary(name, x.ref, y.ref)
    prop = (x.err * y.abs_max() + y.err * x.abs_max() if name == "mul"
            else x.err + y.err)
    return child(a.dtype, ref,
                 lambda env: _weft_binary(name, x.build(env), y.build(env)),
                 f"{name}({x.text}, {y.text})", [x, y], prop)


def op_divide(g, a):
    """`a / b` with b kept away from zero; integers divide truly."""
    rng = g.rng
    if a.dtype in INTS:
        b = g.leaf(a.dtype, g.broadcast_partner_shape(a.shape), 1, 6)
        sign = int(rng.choice([-1, 1]))
        ref = a.ref / (b.ref * sign)
        return child("float32", ref,
                     lambda env: a.build(env) / (b.build(env) * sign),
                     f"div({a.text}, {sign} * {b.text})", [a, b])
    b = g.leaf(a.dtype, g.broadcast_partner_shape(a.shape))
    ref = a.ref / (np.abs(b.ref) + 0.5)
    return child(a.dtype, ref,
                 lambda env: a.build(env) / (F.abs(b.build(env)) + 0.5),
                 f"div({a.text}, abs({b.text}) + 0.5)", [a, b],
                 2 * a.err + 4 * a.abs_max() * b.err + 2 * a.abs_max())


_erf = np.vectorize(math.erf, otypes=[np.float64])
UNARY = {
    # name: (weft, numpy reference, bound of the derivative)
    "neg": (lambda x: -x, np.negative, 1),
    "abs": (F.abs, np.abs, 1),
    "relu": (F.relu, lambda x: np.maximum(x, 0), 1),
    "tanh": (F.tanh, np.tanh, 1),
    "sigmoid": (F.sigmoid, lambda x: 1 / (1 + np.exp(-x)), 1),
    "silu": (F.silu, lambda x: x / (1 + np.exp(-x)), 1.2),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))), 1.2),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(
                      math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))),
                  1.2),
    # Positive-domain functions see |x| + 0.5.
    "log": (lambda x: F.log(F.abs(x) + 0.5),
            lambda x: np.log(np.abs(x) + 0.5), 2),
    "sqrt": (lambda x: F.sqrt(F.abs(x) + 0.5),
             lambda x: np.sqrt(np.abs(x) + 0.5), 1),
    "rsqrt": (lambda x: F.rsqrt(F.abs(x) + 0.5),
              lambda x: 1 / np.sqrt(np.abs(x) + 0.5), 1.5),
    "pow": (lambda x: (F.abs(x) + 0.5) ** 1.5,
            lambda x: (np.abs(x) + 0.5) ** 1.5, None),
    "square": (lambda x: x ** 2.0, lambda x: x ** 2.0, None),
}
INT_UNARY = ("neg", "abs", "relu")


def op_unary(g, a):
    rng = g.rng
    if a.dtype in INTS:
        name = str(rng.choice(INT_UNARY))
    elif rng.random() < 0.1 and a.abs_max() < 4:
        ref = np.exp(a.ref)
        out = float(np.abs(ref).max(initial=0))
        return child(a.dtype, ref, lambda env: F.exp(a.build(env)),
                     f"exp({a.text})", [a], out * (a.err + 1))
    else:
        name = str(rng.choice(sorted(UNARY)))
    fn, ref_fn, gain = UNARY[name]
    ref = ref_fn(a.ref)
    if name in INT_UNARY:  # exact
        return child(a.dtype, ref, lambda env: fn(a.build(env)),
                     f"{name}({a.text})", [a], a.err, rounds=False)
    if gain is None:  # powers: the derivative grows with the input
        gain = 2 * (a.abs_max() + 1)
    # Roundings inside the op happen at the input's magnitude (x / sqrt(2),
    # |x| + 0.5, exp(y * log(x)), ...).
    prop = gain * (a.err + a.abs_max()) + \
        2 * float(np.abs(ref).max(initial=0))
    return child(a.dtype, ref, lambda env: fn(a.build(env)),
                 f"{name}({a.text})", [a], prop)


def op_cast(g, a):
    rng = g.rng
    if a.dtype in FLOATS:
        if a.leaf and rng.random() < 0.4:  # exact values: truncation is too
            to = str(rng.choice(INTS))
            ref = np.trunc(a.ref)
        else:
            to = str(rng.choice(FLOATS))
            ref = a.ref
    else:
        to = str(rng.choice(FLOATS + INTS))
        ref = a.ref
        if to in INTS:  # narrowing wraps, as numpy's astype
            ref = a.ref.astype(to).astype(np.int64)
        elif to == "bfloat16":
            ref = to_bfloat16(a.ref)
        elif to == "float16":
            ref = a.ref.astype(np.float16).astype(np.float64)
    return child(to, ref, lambda env: a.build(env).astype(to),
                 f"{a.text}.astype({to})", [a], a.err)


def _reduce_count(shape, axes):
    return math.prod(shape[i] for i in axes) if axes else 1


def op_reduce(g, a):
    rng = g.rng
    method = str(rng.choice(["sum", "mean", "max"]))
    r = a.ndim
    kind = rng.random()
    if kind < 0.2 or r == 0:
        axis = None if rng.random() < 0.8 else ()
        axes = tuple(range(r)) if axis is None else ()
    elif kind < 0.6:
        k = int(rng.integers(r))
        axis = k - r if rng.random() < 0.4 else k
        axes = (k,)
    else:
        n = int(rng.integers(1, r + 1))
        axes = tuple(int(i) for i in rng.permutation(r)[:n])
        axis = tuple(i - r if rng.random() < 0.4 else i for i in axes)
    keep = bool(rng.random() < 0.4)
    count = _reduce_count(a.shape, axes)
    if a.dtype in ("float16", "bfloat16") and method != "max" and \
            count > MAX_16BIT_REDUCTION:
        return None
    ref = getattr(a.ref, method)(axis=axis, keepdims=keep)
    dtype = "float32" if method == "mean" and a.dtype in INTS else a.dtype
    prop, acc = a.err, 0.0
    if method != "max":
        prop *= count if method == "sum" else 1
        acc = count * float(np.abs(a.ref).sum(axis=axis).max(initial=0)) / \
            (count if method == "mean" else 1)
    return child(dtype, ref,
                 lambda env: getattr(a.build(env), method)(axis=axis,
                                                           keepdims=keep),
                 f"{a.text}.{method}(axis={axis}, keepdims={keep})", [a],
                 prop, acc)


def op_matmul(g, a):
    rng = g.rng
    if a.ndim < 2:
        return None
    n = int(rng.choice(DIMS))
    m, k = a.shape[-2], a.shape[-1]
    form = int(rng.integers(5)) if a.ndim == 2 else int(rng.integers(2)) + 5
    bias = None
    # fn: the weft expression, npf: the same on numpy arrays.
    if form == 0:    # a @ b
        b, kk, text = g.leaf(a.dtype, (k, n)), k, "{a} @ {b}"
        fn = npf = (lambda x, y: x @ y)
    elif form == 1:  # a.T @ b
        b, kk, text = g.leaf(a.dtype, (m, n)), m, "{a}.T @ {b}"
        fn = npf = (lambda x, y: x.T @ y)
    elif form == 2:  # b @ a
        b, kk, text = g.leaf(a.dtype, (n, m)), m, "{b} @ {a}"
        fn = npf = (lambda x, y: y @ x)
    elif form == 3:  # a @ b.T
        b, kk, text = g.leaf(a.dtype, (n, k)), k, "{a} @ {b}.T"
        fn = npf = (lambda x, y: x @ y.T)
    elif form == 4:  # linear: a transposed rhs, with or without a bias
        b, kk, text = g.leaf(a.dtype, (n, k)), k, "linear({a}, {b}"
        bias = g.leaf(a.dtype, (n,)) if rng.random() < 0.5 else None
        fn, npf = (lambda x, y: F.linear(x, y)), (lambda x, y: x @ y.T)
    elif form == 5:  # batched (equal ranks), maybe a transposed rhs
        trans = rng.random() < 0.5
        b = g.leaf(a.dtype, a.shape[:-2] + ((n, k) if trans else (k, n)))
        perm = tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2)
        kk = k
        if trans:
            text = "{a} @ {b}.transpose" + str(perm)
            fn = npf = (lambda x, y: x @ y.transpose(perm))
        else:
            text = "{a} @ {b}"
            fn = npf = (lambda x, y: x @ y)
    else:            # N-D @ 2-D
        b, kk, text = g.leaf(a.dtype, (k, n)), k, "{a} @ {b}"
        fn = npf = (lambda x, y: x @ y)
    if a.dtype in ("float16", "bfloat16") and kk > MAX_16BIT_REDUCTION:
        return None
    ref = npf(a.ref, b.ref)
    prop = kk * (a.err * b.abs_max() + b.err * a.abs_max())
    acc = kk * float(npf(np.abs(a.ref), np.abs(b.ref)).max(initial=0))
    text = text.format(a=a.text, b=b.text)
    if bias is None:
        return child(a.dtype, ref, lambda env: fn(a.build(env), b.build(env)),
                     text + (")" if form == 4 else ""), [a, b], prop, acc)
    return child(a.dtype, ref + bias.ref,
                 lambda env: F.linear(a.build(env), b.build(env),
                                      bias.build(env)),
                 f"{text}, {bias.text})", [a, b, bias], prop + bias.err, acc)


def op_softmax(g, a):
    rng = g.rng
    if a.dtype in INTS or a.ndim == 0:
        return None
    k = int(rng.integers(a.ndim))
    if a.dtype != "float32" and a.shape[k] > MAX_16BIT_REDUCTION:
        return None
    axis = k - a.ndim if rng.random() < 0.5 else k
    e = np.exp(a.ref - a.ref.max(axis=k, keepdims=True))
    ref = e / e.sum(axis=k, keepdims=True)
    # exp(x - max) reads x's magnitude; its sum has shape[k] terms <= 1.
    return child(a.dtype, ref, lambda env: F.softmax(a.build(env), axis=axis),
                 f"softmax({a.text}, axis={axis})", [a],
                 2 * a.err + 2 * a.abs_max(), a.shape[k] ** 2)


def op_norm(g, a):
    """layer_norm or rms_norm over the trailing 1 or 2 dims."""
    rng = g.rng
    if a.dtype in INTS or a.ndim == 0:
        return None
    nd = int(rng.integers(1, min(2, a.ndim) + 1))
    axes = tuple(range(a.ndim - nd, a.ndim))
    count = _reduce_count(a.shape, axes)
    if a.dtype != "float32" and count > MAX_16BIT_REDUCTION:
        return None
    w = g.leaf(a.dtype, a.shape[a.ndim - nd:])
    eps = 1e-5
    eps_ref = float(np.float32(eps))  # the f32 attribute weft computes with
    if rng.random() < 0.5:
        b = g.leaf(a.dtype, w.shape)
        m = a.ref.mean(axis=axes, keepdims=True)
        var = ((a.ref - m) ** 2).mean(axis=axes, keepdims=True)
        denom = np.sqrt(var + eps_ref)
        normed = (a.ref - m) / denom
        ref = normed * w.ref + b.ref
        fn = (lambda env: F.layer_norm(a.build(env), w.build(env),
                                       b.build(env), eps=eps))
        text = f"layer_norm({a.text}, {w.text}, {b.text})"
        parents, bias_err = [a, w, b], b.err
    else:
        denom = np.sqrt((a.ref ** 2).mean(axis=axes, keepdims=True) +
                        eps_ref)
        normed = a.ref / denom
        ref = normed * w.ref
        fn = (lambda env: F.rms_norm(a.build(env), w.build(env), eps=eps))
        text = f"rms_norm({a.text}, {w.text})"
        parents, bias_err = [a, w], 0.0
    # Errors of the input, and roundings at its magnitude (x - mean), grow
    # by 1 / std: rows that are (nearly) constant would make the result
    # meaningless in low precision.
    gain = 1 / float(denom.min())
    if a.abs_max() * gain > 20:
        return None
    prop = 2 * gain * (a.err + a.abs_max()) * w.abs_max() + \
        w.err * float(np.abs(normed).max(initial=0)) + bias_err
    return child(a.dtype, ref, fn, text, parents, prop,
                 count * float(np.abs(ref).max(initial=0)))


def op_reshape(g, a):
    rng = g.rng
    size = a.ref.size
    dims = []
    rest = size
    if size == 1 and rng.random() < 0.3:  # to 0-d
        return child(a.dtype, a.ref.reshape(()),
                     lambda env: a.build(env).reshape(()),
                     f"{a.text}.reshape(())", [a], a.err, rounds=False)
    for _ in range(int(rng.integers(0, 4))):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = int(rng.choice(divisors))
        dims.append(d)
        rest //= d
    if rest > 1 or not dims or rng.random() < 0.3:
        dims.append(rest)
    if rng.random() < 0.2 and size:
        dims.append(1)
    dims = [int(d) for d in rng.permutation(dims)]
    if math.prod(dims) != size:
        return None
    arg = list(dims)
    if arg and rng.random() < 0.4:
        arg[int(rng.integers(len(arg)))] = -1
    ref = a.ref.reshape(dims)
    return child(a.dtype, ref, lambda env: a.build(env).reshape(*arg),
                 f"{a.text}.reshape{tuple(arg)}", [a], a.err, rounds=False)


def op_transpose(g, a):
    rng = g.rng
    r = a.ndim
    if rng.random() < 0.25:
        return child(a.dtype, a.ref.T, lambda env: a.build(env).T,
                     f"{a.text}.T", [a], a.err, rounds=False)
    perm = [int(p) for p in rng.permutation(r)]
    arg = tuple(p - r if rng.random() < 0.3 else p for p in perm)
    return child(a.dtype, a.ref.transpose(perm),
                 lambda env: a.build(env).transpose(*arg),
                 f"{a.text}.transpose{arg}", [a], a.err, rounds=False)


def op_slice(g, a):
    rng = g.rng
    if a.ndim == 0:
        return None
    index = []
    for size in a.shape:
        c = rng.random()
        if c < 0.2:
            i = int(rng.integers(size))
            index.append(i - size if rng.random() < 0.5 else i)
        elif c < 0.7:
            start = int(rng.integers(size))
            stop = int(rng.integers(start + 1, size + 1))
            step = int(rng.choice([1, 1, 2, 3]))
            if rng.random() < 0.3:
                start -= size
            index.append(slice(start, stop if rng.random() < 0.8 else None,
                               step))
        else:
            index.append(slice(None))
    if rng.random() < 0.3:  # drop trailing full slices, or use an Ellipsis
        k = int(rng.integers(len(index) + 1))
        index = index[:k] + ([Ellipsis] if rng.random() < 0.5 else [])
    index = tuple(index)
    ref = a.ref[index]
    return child(a.dtype, ref, lambda env: a.build(env)[index],
                 f"{a.text}[{index}]", [a], a.err, rounds=False)


def op_concat(g, a):
    rng = g.rng
    if a.ndim == 0:
        return None
    k = int(rng.integers(a.ndim))
    axis = k - a.ndim if rng.random() < 0.4 else k
    shape = list(a.shape)
    shape[k] = int(rng.choice(DIMS))
    b = a if rng.random() < 0.3 else g.leaf(a.dtype, tuple(shape))
    parts = [a, b] if rng.random() < 0.5 else [b, a, b]
    ref = np.concatenate([p.ref for p in parts], axis=k)
    if ref.size > 2 * MAX_SIZE:
        return None
    return child(a.dtype, ref,
                 lambda env: F.concat([p.build(env) for p in parts],
                                      axis=axis),
                 f"concat([{', '.join(p.text for p in parts)}], "
                 f"axis={axis})", parts, max(p.err for p in parts),
                 rounds=False)


def op_embedding(g, a):
    """Rows of `a` (as a [V, D] table) picked by random indices."""
    rng = g.rng
    if a.ndim != 2:
        return None
    ids = g.leaf(str(rng.choice(["int32", "int64"])), g.shape(
        int(rng.integers(0, 3))), 0, a.shape[0])
    return child(a.dtype, a.ref[ids.ref],
                 lambda env: F.embedding(ids.build(env), a.build(env)),
                 f"embedding({ids.text}, {a.text})", [a], a.err,
                 rounds=False)


def op_cross_entropy(g, a):
    rng = g.rng
    if a.ndim != 2 or a.dtype in INTS or (
            a.dtype != "float32" and max(a.shape) > MAX_16BIT_REDUCTION):
        return None
    labels = g.leaf(str(rng.choice(["int32", "int64"])), (a.shape[0],), 0,
                    a.shape[1])
    z = a.ref
    mx = z.max(1, keepdims=True)
    lse = np.log(np.exp(z - mx).sum(1)) + mx[:, 0]
    ref = np.mean(lse - z[np.arange(z.shape[0]), labels.ref])
    return child(a.dtype, ref,
                 lambda env: F.cross_entropy(a.build(env), labels.build(env)),
                 f"cross_entropy({a.text}, {labels.text})", [a, labels],
                 2 * a.err + 2 * (a.abs_max() + math.log(a.shape[1])),
                 a.shape[1] + a.shape[0] * float(np.abs(lse).max()))


OPS = ([op_binary] * 4 + [op_unary] * 3 + [op_divide, op_cast, op_reduce,
       op_reduce, op_matmul, op_matmul, op_softmax, op_norm, op_reshape,
       op_transpose, op_slice, op_concat, op_embedding, op_cross_entropy])


def make_graph(index):
    rng = np.random.default_rng([SEED, index])
    g = Graph(rng)
    outputs = [g.expression() for _ in range(int(rng.integers(3, 8)))]
    use_blas = bool(rng.random() < 0.7)
    return g, outputs, use_blas


def check_output(got, node):
    """None, or what is wrong with `got` for `node`."""
    dtype = "float32" if node.dtype == "bfloat16" else node.dtype
    if got.dtype != np.dtype(dtype) or got.shape != node.shape:
        return (f"got {got.dtype}{describe(got.shape)}, want "
                f"{dtype}{describe(node.shape)}")
    if node.dtype in INTS:
        bad = got.astype(np.int64) != node.ref
        if bad.any():
            i = tuple(int(v) for v in np.argwhere(bad)[0])
            return (f"{int(bad.sum())} wrong elements, e.g. at {i}: got "
                    f"{got[i]}, want {node.ref[i]}")
        return None
    err = np.abs(got.astype(np.float64) - node.ref)
    tol = node.rtol * node.err  # 0 for data movement of exact inputs
    if not (err <= tol).all():  # also catches NaN
        i = tuple(int(v) for v in np.argwhere(~(err <= tol))[0])
        return (f"error {float(err[i]):.3g} > {tol:.3g} at {i}: got "
                f"{got[i]}, want {node.ref[i]:.6g}")
    return None


def run_graph(index):
    """Failure messages of graph `index` (an empty list when it passes)."""
    g, outputs, use_blas = make_graph(index)
    where = (f"graph {index} (re-run: WEFT_DIFF_SEED={SEED} "
             f"WEFT_DIFF_FIRST={index} WEFT_DIFF_GRAPHS=1, use_blas="
             f"{use_blas})")

    def fn(*args):
        env = {"args": args}
        outs = []
        for node in outputs:
            t = node.build(env)
            outs.append(t.astype("float32") if node.dtype == "bfloat16"
                        else t)
        return tuple(outs)

    try:
        got = weft.compile(fn, *g.inputs, use_blas=use_blas)(*g.inputs)
    except Exception as e:  # noqa: BLE001 - every error is a failure here
        exprs = "\n    ".join(n.text for n in outputs)
        return [f"{where}: {type(e).__name__}: {e}\n  expressions:\n    "
                f"{exprs}"]
    failures = []
    for k, (arr, node) in enumerate(zip(got, outputs)):
        problem = check_output(arr, node)
        if problem:
            failures.append(f"{where} output {k}: {problem}\n  "
                            f"{node.dtype}: {node.text}")
    return failures


CHUNKS = [range(i, min(i + CHUNK, FIRST + GRAPHS))
          for i in range(FIRST, FIRST + GRAPHS, CHUNK)]


@pytest.mark.parametrize("graphs", CHUNKS,
                         ids=[f"graphs{c.start}-{c.stop - 1}" for c in CHUNKS])
def test_random_graphs_match_numpy(graphs):
    failures = []
    for index in graphs:
        failures += run_graph(index)
    for f in failures:
        print(f)
    log = os.environ.get("WEFT_DIFF_LOG")
    if log and failures:
        with open(log, "a") as out:
            out.write("\n".join(failures) + "\n")
    assert not failures, f"{len(failures)} mismatches:\n" + \
        "\n".join(failures[:10])


def test_generator_covers_every_dtype_and_op():
    """The default budget really exercises what the docstring promises."""
    dtypes, texts = set(), []
    for index in range(FIRST, FIRST + 60):  # generation only: cheap
        _, outputs, _ = make_graph(index)
        for node in outputs:
            dtypes.add(node.dtype)
            texts.append(node.text)
    assert dtypes >= set(FLOATS + INTS)
    joined = "\n".join(texts)
    for needle in ["add(", "maximum(", "div(", "@", "linear(", ".sum(",
                   ".mean(", ".max(", "softmax(", "layer_norm(", "rms_norm(",
                   ".reshape", ".transpose", "concat(", "[(", "embedding(",
                   "cross_entropy(", ".astype(", "gelu", "[]"]:
        assert needle in joined, needle


def test_checker_rejects_wrong_results():
    """check_output is not vacuous: the reference passes; a wrong shape,
    dtype or integer fails; and a 5% error in the largest element fails for
    most float outputs (78% today: the tolerances are tight enough to
    matter; cancellation and intermediate magnitudes loosen the rest)."""
    caught, floats = 0, 0
    for index in range(FIRST, FIRST + 20):
        _, outputs, _ = make_graph(index)
        for node in outputs:
            dtype = "float32" if node.dtype == "bfloat16" else node.dtype
            exact = node.ref.astype(dtype)
            assert check_output(exact, node) is None, node.text
            assert check_output(exact.astype(np.int16), node) is not None
            assert check_output(exact.reshape((1,) + exact.shape),
                                node) is not None
            wrong = exact.copy()
            flat = wrong.reshape(-1)
            k = int(np.argmax(np.abs(flat)))
            if node.dtype in INTS:
                flat[k] ^= 1
                assert check_output(wrong, node) is not None, node.text
                continue
            flat[k] = flat[k] * 1.05 + (flat[k] == 0)
            floats += 1
            caught += check_output(wrong, node) is not None
    assert floats > 40 and caught >= 0.7 * floats, (caught, floats)
