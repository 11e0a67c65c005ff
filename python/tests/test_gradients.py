"""Every differentiable op through `weft.grad`, in float64, against central
finite differences of the same traced function compiled by weft.

`check_grad(fn, *arrays, argnums=...)` traces `fn` once into a function
returning `(out, loss)` with `loss = (out * r).sum()` for a fixed random
weighting `r` (entries of magnitude 0.5..1.5 and random sign, so every row of
the Jacobian counts), compiles it with `weft.compile` and differentiates the
loss with `weft.grad`. For each differentiated argument it compares:

- the gradient at up to MAX_COORDS coordinates (all of them for small
  arguments, a seeded random subset otherwise) with the central difference
  `(L(x + h e_i) - L(x - h e_i)) / 2h`, `h = H * max(1, |x_i|)`;
- the gradient's inner product with one random direction `v` with the
  central difference along `v`, which covers the coordinates not sampled.

Tolerances (float64 throughout): `|g - fd| <= RTOL * |fd| + atol` with
RTOL = 1e-6 and `atol = ATOL * max(1, sum|out * r|)`, ATOL = 1e-8. The
central difference's truncation error is `h^2 / 6 * L''' ~ 1e-13` for the
inputs drawn here; its rounding error is about `eps * sum|out * r| / h ~
1e-10 * sum|out * r|`, which is what atol scales with. The forward value is
compared with a numpy float64 formula where one is easy (relative error
FWD_RTOL = 1e-11 of the reference's largest magnitude).

Inputs stay away from kinks: away from 0 for abs and relu, on separated
grids for max/min/compare (no ties within far more than h), distinct values
for reduce_max and max_pool2d, positive for log/sqrt/rsqrt and pow's base.
The tie conventions themselves are checked exactly in their own tests.
"""
import math

import numpy as np
import pytest

import weft
import weft.functional as F
from conftest import assert_close, gelu_ref

f64 = np.float64
H = 1e-6
RTOL = 1e-6
ATOL = 1e-8
MAX_COORDS = 12
FWD_RTOL = 1e-11

_erf = np.vectorize(math.erf, otypes=[f64])


# ---------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------

def check_grad(fn, *arrays, argnums=0, ref=None, fwd_rtol=FWD_RTOL,
               max_coords=MAX_COORDS, seed=0):
    """Checks weft.grad of `(fn(*arrays) * r).sum()` with respect to
    `argnums` against central finite differences of the same function
    compiled by weft, and `fn`'s value against `ref(*arrays)` when given.
    Returns the gradients (a tuple, one per argnum)."""
    arrays = tuple(np.asarray(a) for a in arrays)
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    rng = np.random.default_rng(seed + 7919)
    weights = {}

    def both(*args):
        out = fn(*args)
        if "r" not in weights:  # one weighting for every trace of `both`
            shape = out.shape
            weights["r"] = (rng.uniform(0.5, 1.5, shape) *
                            rng.choice([-1.0, 1.0], shape)).astype(f64)
        return out, (out * weights["r"]).sum()

    def loss_fn(*args):
        return both(*args)[1]

    fwd = weft.compile(both, *arrays)
    out, loss = fwd(*arrays)
    assert out.dtype == f64 and loss.shape == ()
    if ref is not None:
        assert_close(out, ref(*arrays), fwd_rtol)
    grads = weft.grad(loss_fn, argnums=argnums)(*arrays)
    if isinstance(argnums, int):
        grads = (grads,)
    assert isinstance(grads, tuple) and len(grads) == len(nums)
    atol = ATOL * max(1.0, float(np.abs(out * weights["r"]).sum()))

    def loss_at(i, xi):
        args = list(arrays)
        args[i] = xi
        return float(fwd(*args)[1])

    failures = []
    for i, g in zip(nums, grads):
        x = arrays[i]
        assert g.shape == x.shape and g.dtype == f64, (i, g.shape, g.dtype)
        assert np.all(np.isfinite(g)), (i, g)
        coords = np.arange(x.size)
        if x.size > max_coords:
            coords = np.sort(rng.choice(x.size, max_coords, replace=False))
        for c in coords:
            h = H * max(1.0, abs(float(x.flat[c])))
            xp, xm = x.copy(), x.copy()
            xp.flat[c] += h
            xm.flat[c] -= h
            fd = (loss_at(i, xp) - loss_at(i, xm)) / \
                float(xp.flat[c] - xm.flat[c])
            got = float(g.flat[c])
            if not abs(got - fd) <= RTOL * abs(fd) + atol:
                failures.append(f"arg {i} at {np.unravel_index(c, x.shape)}: "
                                f"grad {got:.12g}, finite difference "
                                f"{fd:.12g}")
        v = rng.standard_normal(x.shape)
        h = H * max(1.0, float(np.abs(x).max(initial=0)))
        fd = (loss_at(i, x + h * v) - loss_at(i, x - h * v)) / (2 * h)
        got = float((g * v).sum())
        if not abs(got - fd) <= RTOL * abs(fd) + atol * max(
                1.0, float(np.abs(v).sum())):
            failures.append(f"arg {i} along a random direction: grad . v = "
                            f"{got:.12g}, finite difference {fd:.12g}")
    assert not failures, "\n".join(failures)
    return grads


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------

def normal(rng, shape, scale=1.0):
    return np.asarray(rng.standard_normal(shape) * scale, f64)


def positive(rng, shape, lo=0.3, hi=3.0):
    return np.asarray(rng.uniform(lo, hi, shape), f64)


def nonzero(rng, shape):
    """|x| >= 0.2: no kink of abs / relu within reach of the FD step."""
    return np.asarray(rng.choice([-1.0, 1.0], shape) *
                      rng.uniform(0.2, 2.0, shape), f64)


def grid(rng, shape, offset):
    """Integers + offset + jitter in [0, 0.1): two grids with offsets 0.25
    and 0.75 never come closer than 0.4, so max/min/compare have no ties."""
    return np.asarray(rng.integers(-3, 3, shape) + offset +
                      rng.uniform(0, 0.1, shape), f64)


def distinct(rng, shape):
    """Distinct values at least 0.4 apart (no ties for a maximum)."""
    n = int(np.prod(shape, dtype=np.int64))
    return np.asarray((rng.permutation(n) - n / 2) * 0.5 +
                      rng.uniform(0, 0.1, n), f64).reshape(shape)


def op(name, operands, attrs="", result=None):
    """A weft op the Python API has no wrapper for."""
    return operands[0]._trace.op(name, operands, attrs, result)


def arr(values):
    return "array<i64" + (": " + ", ".join(str(int(v)) for v in values)
                          if len(values) else "") + ">"


def f32_attr(v):
    """`v` as an f32 attribute rounds it."""
    return float(np.float32(v))


# ---------------------------------------------------------------------------
# Elementwise unary ops
# ---------------------------------------------------------------------------

UNARY = {
    "neg": (lambda x: -x, lambda x: -x, normal),
    "abs": (F.abs, np.abs, nonzero),
    "exp": (F.exp, np.exp, normal),
    "log": (F.log, np.log, positive),
    "sqrt": (F.sqrt, np.sqrt, positive),
    "rsqrt": (F.rsqrt, lambda x: 1 / np.sqrt(x), positive),
    "tanh": (F.tanh, np.tanh, normal),
    "sigmoid": (F.sigmoid, lambda x: 1 / (1 + np.exp(-x)), normal),
    "relu": (F.relu, lambda x: np.maximum(x, 0), nonzero),
    "silu": (F.silu, lambda x: x / (1 + np.exp(-x)), normal),
    "erf": (lambda x: op("weft.erf", [x]), _erf, normal),
    "gelu": (F.gelu, gelu_ref, normal),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                                   (x + 0.044715 * x ** 3))),
                  normal),
}
UNARY_SHAPES = [(), (1,), (3, 1, 4), (2, 3, 5)]


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary(rng, name, shape):
    fn, ref, draw = UNARY[name]
    check_grad(fn, draw(rng, shape), ref=ref)


def test_unary_chain(rng):
    # Composition and fan-out: x feeds several ops whose gradients add up.
    x = positive(rng, (4, 5), 0.5, 2.0)
    check_grad(lambda t: F.tanh(F.log(t) * t) + F.sqrt(t) * F.exp(-t) -
               F.sigmoid(t * t),
               x, ref=lambda t: np.tanh(np.log(t) * t) + np.sqrt(t) *
               np.exp(-t) - 1 / (1 + np.exp(-t * t)))


# ---------------------------------------------------------------------------
# Elementwise binary ops, with broadcasting
# ---------------------------------------------------------------------------

BINARY = {
    "add": (lambda a, b: a + b, np.add, normal, normal),
    "sub": (lambda a, b: a - b, np.subtract, normal, normal),
    "mul": (lambda a, b: a * b, np.multiply, normal, normal),
    "div": (lambda a, b: a / b, np.divide, normal, nonzero),
    "max": (F.maximum, np.maximum, lambda g, s: grid(g, s, 0.25),
            lambda g, s: grid(g, s, 0.75)),
    "min": (F.minimum, np.minimum, lambda g, s: grid(g, s, 0.25),
            lambda g, s: grid(g, s, 0.75)),
    "pow": (lambda a, b: a ** b, np.power, lambda g, s: positive(g, s, 0.5),
            lambda g, s: normal(g, s)),
}
BROADCAST_PAIRS = [((2, 3), (2, 3)), ((3, 1, 4), (5, 4)), ((4, 1), (1, 5)),
                   ((2, 3), ()), ((), (2, 3)), ((1,), (3, 1)), ((), ())]


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary(rng, name, shapes):
    fn, ref, draw_a, draw_b = BINARY[name]
    a, b = draw_a(rng, shapes[0]), draw_b(rng, shapes[1])
    check_grad(fn, a, b, argnums=(0, 1), ref=ref)


@pytest.mark.parametrize("fn,ref", [
    (lambda x: x + 0.5, lambda x: x + 0.5),
    (lambda x: 2.0 - x, lambda x: 2.0 - x),
    (lambda x: x * 0.1, lambda x: x * 0.1),
    (lambda x: 3 * x, lambda x: 3 * x),
    (lambda x: 1.0 / x, lambda x: 1.0 / x),
    (lambda x: x / 3.0, lambda x: x / 3.0),
    (lambda x: x ** 1.5, lambda x: x ** 1.5),
    (lambda x: x ** 2, lambda x: x ** 2),
    (lambda x: x ** -0.5, lambda x: x ** -0.5),
    (lambda x: 2.0 ** x, lambda x: 2.0 ** x),
    (lambda x: F.maximum(x, 1.05), lambda x: np.maximum(x, 1.05)),
    (lambda x: F.minimum(1.05, x), lambda x: np.minimum(1.05, x)),
], ids=["add", "rsub", "mul", "rmul_int", "rdiv", "div", "pow", "pow_int",
        "pow_neg", "rpow", "max", "min"])
def test_binary_with_scalar(rng, fn, ref):
    # Values in [0.3, 3] on a grid that stays 0.1 away from 1.05.
    x = np.asarray(rng.integers(1, 6, (3, 4)) * 0.5 + 0.2 +
                   rng.uniform(0, 0.2, (3, 4)), f64)
    check_grad(fn, x, ref=ref)


def test_same_operand_twice(rng):
    # x * x and x / x: both operands are the same value.
    x = nonzero(rng, (3, 4))
    check_grad(lambda t: t * t + t / (t * t + 1) + (t / t) * t, x,
               ref=lambda t: t * t + t / (t * t + 1) + t)


@pytest.mark.parametrize("pred,ref", [
    (0, np.equal), (1, np.not_equal), (2, np.less), (3, np.less_equal),
    (4, np.greater), (5, np.greater_equal)],
    ids=["eq", "ne", "lt", "le", "gt", "ge"])
def test_compare(rng, pred, ref):
    # A compare mask has zero gradient; the mask still gates the product.
    # No ties (the grids are 0.4 apart), so eq is all 0 and ne all 1 here.
    a, b = grid(rng, (3, 1, 4), 0.25), grid(rng, (5, 4), 0.75)

    def fn(x, y):
        return op("weft.compare", [x, y], f"{{predicate = {pred} : i32}}") * \
            x * y

    check_grad(fn, a, b, argnums=(0, 1), ref=lambda x, y: ref(x, y) * x * y)

    # At ties the mask is still a constant of the gradient (exact check).
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = np.array([1.0, 0.5, 3.0, 5.0])
    mask = ref(a, b).astype(f64)
    ga, gb = weft.grad(lambda x, y: (fn(x, y) * 1.0).sum(), argnums=(0, 1))(
        a, b)
    np.testing.assert_array_equal(ga, mask * b)
    np.testing.assert_array_equal(gb, mask * a)


# ---------------------------------------------------------------------------
# Tie conventions (exact)
# ---------------------------------------------------------------------------

def test_max_min_ties_go_to_the_left_operand():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 0.0, 3.0])
    ga, gb = weft.grad(lambda x, y: F.maximum(x, y).sum(),
                       argnums=(0, 1))(a, b)
    np.testing.assert_array_equal(ga, [1, 1, 1])
    np.testing.assert_array_equal(gb, [0, 0, 0])
    ga, gb = weft.grad(lambda x, y: F.minimum(x, y).sum(),
                       argnums=(0, 1))(a, b)
    np.testing.assert_array_equal(ga, [1, 0, 1])
    np.testing.assert_array_equal(gb, [0, 1, 0])


def test_reduce_max_ties_share_the_gradient():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 0.0, 5.0, 5.0]])
    g = weft.grad(lambda t: t.max(axis=1).sum())(x)
    np.testing.assert_allclose(g, [[0, .5, .5, 0], [1 / 3, 0, 1 / 3, 1 / 3]],
                               rtol=1e-15)


def test_kink_subgradients_are_zero():
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(weft.grad(lambda t: F.relu(t).sum())(x),
                                  [0, 0, 1])
    np.testing.assert_array_equal(weft.grad(lambda t: F.abs(t).sum())(x),
                                  [-1, 0, 1])


# ---------------------------------------------------------------------------
# Casts
# ---------------------------------------------------------------------------

def test_cast_through_float32(rng):
    # The gradient of a cast is cast back: exact for these values.
    x = normal(rng, (3, 4))
    w = np.asarray(rng.integers(-4, 5, (3, 4)) * 0.25, np.float32)
    g = weft.grad(lambda t: (t.astype("float32") * w).sum()
                  .astype("float64"))(x)
    assert g.dtype == f64
    np.testing.assert_array_equal(g, w.astype(f64))
    # A float32 loss of a float64 argument.
    g = weft.grad(lambda t: (t.astype("float32") * w).sum())(x)
    np.testing.assert_array_equal(g, w.astype(f64))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_cast_to_lower_precision(rng, dtype):
    # 0.25 and -1.5 are exact in every float type: so is the gradient.
    x = normal(rng, (2, 5))
    g = weft.grad(lambda t: ((t.astype(dtype) * 0.25).sum() -
                             (t.astype(dtype) * 1.5).sum()
                             ).astype("float64"))(x)
    assert g.dtype == f64
    np.testing.assert_array_equal(g, np.full((2, 5), -1.25))


def test_cast_to_integer_blocks_the_gradient(rng):
    x = normal(rng, (3, 4), 3.0)
    g = weft.grad(lambda t: (t.astype("int32").astype("float64") * 2.0 +
                             t).sum())(x)
    np.testing.assert_array_equal(g, np.ones((3, 4)))


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

REDUCE_CASES = [((2, 3, 4), None, False), ((2, 3, 4), 1, False),
                ((2, 3, 4), (0, 2), True), ((2, 3, 4), -1, True),
                ((5,), 0, False), ((3, 1, 4), 1, False), ((1,), None, True),
                ((4, 1), (0, 1), False)]


@pytest.mark.parametrize("case", REDUCE_CASES, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "max"])
def test_reduce(rng, name, case):
    shape, axis, keepdims = case
    x = distinct(rng, shape) if name == "max" else normal(rng, shape)
    ax = axis if axis is None or isinstance(axis, int) else tuple(axis)
    check_grad(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), x,
               ref=lambda t: getattr(np, name)(t, axis=ax, keepdims=keepdims))


def test_reduce_chain(rng):
    # softmax-like: x - max, exp, normalize by the sum; mean of a product.
    x = distinct(rng, (3, 5))
    x *= 0.3

    def fn(t):
        e = F.exp(t - t.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True) + (t * t).mean(axis=0)

    def ref(t):
        e = np.exp(t - t.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True) + (t * t).mean(0)

    check_grad(fn, x, ref=ref)


# ---------------------------------------------------------------------------
# Data movement
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,perm", [
    ((3, 5), None), ((2, 3, 4), (2, 0, 1)), ((1, 4, 1, 2), (3, 1, 0, 2)),
    ((2, 3, 4), (0, 2, 1))], ids=str)
def test_transpose(rng, shape, perm):
    x = normal(rng, shape)
    fn = (lambda t: t.T) if perm is None else (lambda t: t.transpose(perm))
    check_grad(fn, x, ref=lambda t: np.transpose(t, perm))


@pytest.mark.parametrize("shape,new", [
    ((2, 3, 4), (6, 4)), ((2, 3, 4), (4, -1)), ((5,), (1, 5, 1)),
    ((1,), ()), ((), (1, 1)), ((3, 1, 4), (12,))], ids=str)
def test_reshape(rng, shape, new):
    x = normal(rng, shape)
    # * 1.5 keeps a reshape that folds away (same shape) from being the
    # identity of the whole function.
    check_grad(lambda t: (t * 1.5).reshape(new), x,
               ref=lambda t: (t * 1.5).reshape(new))


@pytest.mark.parametrize("shape,target", [
    ((4,), (3, 4)), ((3, 1), (2, 3, 5)), ((), (2, 2)), ((1, 1), (3, 1)),
    ((2, 1, 3), (2, 4, 3))], ids=str)
def test_broadcast_to(rng, shape, target):
    x = normal(rng, shape)
    check_grad(lambda t: op("weft.broadcast_to", [t], result=("float64",
                                                              target)),
               x, ref=lambda t: np.broadcast_to(t, target))


@pytest.mark.parametrize("shapes,axis", [
    (((3, 2), (3, 5)), 1), (((1, 4), (3, 4), (2, 4)), 0),
    (((2, 1, 3), (2, 2, 3), (2, 1, 3)), -2), (((1,), (4,)), 0)], ids=str)
def test_concat(rng, shapes, axis):
    xs = [normal(rng, s) for s in shapes]
    check_grad(lambda *ts: F.concat(ts, axis=axis), *xs,
               argnums=tuple(range(len(xs))),
               ref=lambda *ts: np.concatenate(ts, axis))


SLICES = {
    "range": ((6, 7), lambda t: t[1:3]),
    "cols": ((6, 7), lambda t: t[:, 2:6]),
    "strided": ((6, 7), lambda t: t[:, ::2]),
    "strided2d": ((6, 7), lambda t: t[1::3, 2:7:2]),
    "int_index": ((6, 7), lambda t: t[-1, 1:]),
    "int_only": ((6, 7), lambda t: t[2]),
    "ellipsis": ((3, 1, 5), lambda t: t[..., 1]),
    "strided3d": ((5, 8, 3), lambda t: t[::2, 1:8:3, 1:]),
    "scalar": ((4, 3), lambda t: t[1, 2]),
}


@pytest.mark.parametrize("name", list(SLICES))
def test_slice(rng, name):
    shape, fn = SLICES[name]
    check_grad(fn, normal(rng, shape), ref=fn)


def test_slices_overlapping(rng):
    # Overlapping slices of one tensor: their gradients add up.
    x = normal(rng, (5, 6))

    def fn(t):
        return t[1:4] * t[:3] + t[2:, ::2].sum(axis=1, keepdims=True)

    check_grad(fn, x, ref=fn)


PADS = [((3, 4), (1, 0), (0, 2), None, 0.0),
        ((3, 4), (0, 1), (2, 0), (1, 0), 0.5),
        ((2, 3, 2), (1, 0, 2), (0, 1, 1), (0, 2, 1), -1.0),
        ((1,), (2,), (3,), (0,), 0.0),
        ((4,), (0,), (0,), (2,), 0.0)]


@pytest.mark.parametrize("shape,low,high,interior,value", PADS, ids=str)
def test_pad(rng, shape, low, high, interior, value):
    x = normal(rng, shape)
    attrs = f"{{low = {arr(low)}, high = {arr(high)}, " + \
        (f"interior = {arr(interior)}, " if interior else "") + \
        f"value = {value!r} : f64}}"

    def ref(t):
        inter = interior or (0,) * t.ndim
        out_shape = [lo + n + (n - 1) * i + hi for lo, n, i, hi in
                     zip(low, t.shape, inter, high)]
        out = np.full(out_shape, value)
        out[tuple(slice(lo, lo + (n - 1) * (i + 1) + 1, i + 1)
                  for lo, n, i in zip(low, t.shape, inter))] = t
        return out

    check_grad(lambda t: op("weft.pad", [t], attrs), x, ref=ref)


@pytest.mark.parametrize("shape,axes", [
    ((5,), (0,)), ((3, 4), (1,)), ((2, 3, 4), (0, 2)), ((2, 1, 3), (1, 2))],
    ids=str)
def test_reverse(rng, shape, axes):
    x = normal(rng, shape)
    check_grad(lambda t: op("weft.reverse", [t], f"{{axes = {arr(axes)}}}"),
               x, ref=lambda t: np.flip(t, axes))


@pytest.mark.parametrize("ids_dtype", ["int64", "int32"])
def test_embedding_repeated_ids(rng, ids_dtype):
    table = normal(rng, (6, 4))
    ids = np.array([[0, 3, 3, 5], [3, 0, 1, 3]], ids_dtype)  # row 2 unused
    g = check_grad(lambda i, t: F.embedding(i, t), ids, table, argnums=1,
                   ref=lambda i, t: t[i], max_coords=24)[0]
    np.testing.assert_array_equal(g[2], 0)


def test_embedding_clamps_ids(rng):
    # Out-of-range ids read (and so accumulate into) the clamped rows.
    table = normal(rng, (5, 3))
    ids = np.array([-2, 0, 4, 7, 2], np.int64)
    check_grad(lambda i, t: F.embedding(i, t), ids, table, argnums=1,
               ref=lambda i, t: t[np.clip(i, 0, 4)], max_coords=15)


def test_embedding_in_a_chain(rng):
    table, ids = normal(rng, (7, 3)), rng.integers(0, 7, (4,))
    w = normal(rng, (4, 3))
    check_grad(lambda t, i, v: F.tanh(F.embedding(i, t) * v), table, ids, w,
               argnums=(0, 2), ref=lambda t, i, v: np.tanh(t[i] * v),
               max_coords=21)


def test_one_hot(rng):
    labels = np.array([2, 0, 3, 2, 1], np.int64)
    x = normal(rng, (5, 4))

    def fn(y, lab):
        hot = op("weft.one_hot", [lab], result=("float64", (5, 4)))
        return hot * y + y * y

    check_grad(fn, x, labels,
               ref=lambda y, lab: np.eye(4)[lab] * y + y * y)


def test_embedding_grad(rng):
    # embedding_grad (a scatter-add) is differentiable in its row gradients.
    rows, ids = normal(rng, (2, 3, 4)), np.array([[1, 4, 1], [0, 1, 4]])

    def ref(g, i):
        out = np.zeros((6, 4))
        np.add.at(out, i, g)
        return out

    check_grad(lambda g, i: op("weft.embedding_grad", [g, i],
                               result=("float64", (6, 4))),
               rows, ids, ref=ref)


# ---------------------------------------------------------------------------
# Contractions
# ---------------------------------------------------------------------------

MATMULS = {
    "mm": (((4, 5), (5, 3)), lambda a, b: a @ b, lambda a, b: a @ b),
    "mm_T_lhs": (((5, 4), (5, 3)), lambda a, b: a.T @ b, lambda a, b: a.T @ b),
    "mm_T_rhs": (((4, 5), (3, 5)), lambda a, b: a @ b.T, lambda a, b: a @ b.T),
    "op_transpose_lhs": (((5, 4), (5, 3)),
                         lambda a, b: op("weft.matmul", [a, b],
                                         "{transpose_lhs}"),
                         lambda a, b: a.T @ b),
    "op_transpose_rhs": (((4, 5), (3, 5)),
                         lambda a, b: op("weft.matmul", [a, b],
                                         "{transpose_rhs}"),
                         lambda a, b: a @ b.T),
    "op_transpose_both": (((5, 4), (3, 5)),
                          lambda a, b: op("weft.matmul", [a, b],
                                          "{transpose_lhs, transpose_rhs}"),
                          lambda a, b: a.T @ b.T),
    "nd_x_2d": (((2, 3, 5), (5, 4)), lambda a, b: a @ b, lambda a, b: a @ b),
    "unit": (((1, 1), (1, 1)), lambda a, b: a @ b, lambda a, b: a @ b),
    "vector_like": (((1, 6), (6, 1)), lambda a, b: a @ b, lambda a, b: a @ b),
}


@pytest.mark.parametrize("name", list(MATMULS))
def test_matmul(rng, name):
    shapes, fn, ref = MATMULS[name]
    a, b = normal(rng, shapes[0]), normal(rng, shapes[1])
    check_grad(fn, a, b, argnums=(0, 1), ref=ref)


def test_linear(rng):
    x, w, b = normal(rng, (2, 3, 5)), normal(rng, (4, 5)), normal(rng, (4,))
    check_grad(F.linear, x, w, b, argnums=(0, 1, 2),
               ref=lambda x, w, b: x @ w.T + b)


BMMS = {
    "bmm": (((2, 3, 4), (2, 4, 5)), "", lambda a, b: a @ b),
    "bmm_rank4": (((2, 2, 3, 4), (2, 2, 4, 1)), "", lambda a, b: a @ b),
    "bmm_T_lhs": (((2, 4, 3), (2, 4, 5)), "{transpose_lhs}",
                  lambda a, b: a.swapaxes(-1, -2) @ b),
    "bmm_T_rhs": (((3, 3, 4), (3, 5, 4)), "{transpose_rhs}",
                  lambda a, b: a @ b.swapaxes(-1, -2)),
    "bmm_T_both": (((1, 2, 4, 3), (1, 2, 5, 4)),
                   "{transpose_lhs, transpose_rhs}",
                   lambda a, b: a.swapaxes(-1, -2) @ b.swapaxes(-1, -2)),
    "bmm_unit_batch": (((1, 3, 2), (1, 2, 3)), "", lambda a, b: a @ b),
}


@pytest.mark.parametrize("name", list(BMMS))
def test_batch_matmul(rng, name):
    shapes, attrs, ref = BMMS[name]
    a, b = normal(rng, shapes[0]), normal(rng, shapes[1])
    fn = (lambda x, y: x @ y) if not attrs else \
        (lambda x, y: op("weft.batch_matmul", [x, y], attrs))
    check_grad(fn, a, b, argnums=(0, 1), ref=ref)


# ---------------------------------------------------------------------------
# Convolution and pooling
# ---------------------------------------------------------------------------

def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _pads(p):
    if isinstance(p, int):
        return (p,) * 4
    p = tuple(p)
    return p + p if len(p) == 2 else p


def conv_ref(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    top, left, bottom, right = _pads(padding)
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, c, hgt, wid = x.shape
    f, cg, kh, kw = w.shape
    oh = (hgt - dh * (kh - 1) - 1) // sh + 1
    ow = (wid - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // groups
    for g in range(groups):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                           j * dw:j * dw + sw * (ow - 1) + 1:sw]
                out[:, g * fg:(g + 1) * fg] += np.einsum(
                    "nchw,fc->nfhw", patch, w[g * fg:(g + 1) * fg, :, i, j])
    if b is not None:
        out += b[None, :, None, None]
    return out


CONVS = [  # x shape, filters, kernel, stride, padding, dilation, groups, bias
    ((2, 3, 6, 5), 4, (3, 3), 1, 0, 1, 1, True),
    ((1, 2, 7, 7), 3, (3, 2), 2, 1, 1, 1, False),
    ((2, 2, 8, 7), 2, (2, 3), 1, (1, 2), 2, 1, True),
    ((1, 4, 7, 6), 6, (3, 3), (2, 1), (0, 1, 2, 1), 1, 2, True),
    ((2, 4, 5, 5), 4, (3, 3), 1, 1, 1, 4, False),
    ((1, 3, 5, 4), 2, (1, 1), 1, 0, 1, 1, True),
]


@pytest.mark.parametrize("case", CONVS, ids=lambda c: "-".join(
    f"{k}{v}" for k, v in zip(("x", "f", "k", "s", "p", "d", "g", "b"), c)))
def test_conv2d(rng, case):
    shape, filters, kernel, stride, padding, dilation, groups, bias = case
    x = normal(rng, shape)
    w = normal(rng, (filters, shape[1] // groups) + kernel)
    opts = dict(stride=stride, padding=padding, dilation=dilation,
                groups=groups)
    if bias:
        b = normal(rng, (filters,))
        check_grad(lambda x, w, b: F.conv2d(x, w, b, **opts), x, w, b,
                   argnums=(0, 1, 2),
                   ref=lambda x, w, b: conv_ref(x, w, b, **opts))
    else:
        check_grad(lambda x, w: F.conv2d(x, w, **opts), x, w,
                   argnums=(0, 1), ref=lambda x, w: conv_ref(x, w, **opts))


def pool_ref(x, kind, kernel, stride=None, padding=0):
    kh, kw = _pair(kernel)
    sh, sw = (kh, kw) if stride is None else _pair(stride)
    top, left, bottom, right = _pads(padding)
    n, c, hgt, wid = x.shape
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)),
                constant_values=fill)
    real = np.pad(np.ones((hgt, wid)), ((top, bottom), (left, right)))
    oh = (hgt + top + bottom - kh) // sh + 1
    ow = (wid + left + right - kw) // sw + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            if kind == "max":
                out[:, :, i, j] = win.max((2, 3))
            else:
                cnt = real[i * sh:i * sh + kh, j * sw:j * sw + kw].sum()
                out[:, :, i, j] = win.sum((2, 3)) / cnt
    return out


POOLS = [((2, 3, 6, 6), 2, None, 0), ((1, 2, 7, 7), 3, 2, 1),
         ((2, 1, 5, 7), (2, 3), (1, 2), (0, 1, 1, 0)),
         ((1, 2, 4, 5), (3, 2), 1, (1, 0)), ((1, 1, 3, 3), 3, None, 0)]


@pytest.mark.parametrize("case", POOLS, ids=str)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool2d(rng, kind, case):
    shape, kernel, stride, padding = case
    x = distinct(rng, shape) * 0.2
    fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    check_grad(lambda t: fn(t, kernel, stride=stride, padding=padding), x,
               ref=lambda t: pool_ref(t, kind, kernel, stride, padding))


# ---------------------------------------------------------------------------
# Softmax, norms, losses, attention
# ---------------------------------------------------------------------------

def softmax_ref(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


@pytest.mark.parametrize("shape,axis", [
    ((3, 4, 5), -1), ((3, 4, 5), 0), ((3, 4, 5), 1), ((4, 1), 1), ((6,), 0)],
    ids=str)
def test_softmax(rng, shape, axis):
    x = normal(rng, shape, 1.5)
    check_grad(lambda t: F.softmax(t, axis=axis), x,
               ref=lambda t: softmax_ref(t, axis))


def layer_norm_ref(x, g, b, eps):
    axes = tuple(range(x.ndim - g.ndim, x.ndim))
    m = x.mean(axes, keepdims=True)
    v = ((x - m) ** 2).mean(axes, keepdims=True)
    return (x - m) / np.sqrt(v + f32_attr(eps)) * g + b


@pytest.mark.parametrize("shape,norm_dims,eps", [
    ((3, 4, 5), 1, 1e-5), ((3, 4, 5), 2, 1e-5), ((2, 6), 1, 0.1),
    ((2, 3, 2, 3), 3, 1e-3)], ids=str)
def test_layer_norm(rng, shape, norm_dims, eps):
    x = normal(rng, shape)
    g = normal(rng, shape[-norm_dims:])
    b = normal(rng, shape[-norm_dims:])
    check_grad(lambda x, g, b: F.layer_norm(x, g, b, eps=eps), x, g, b,
               argnums=(0, 1, 2),
               ref=lambda x, g, b: layer_norm_ref(x, g, b, eps))


def rms_norm_ref(x, g, eps):
    axes = tuple(range(x.ndim - g.ndim, x.ndim))
    ms = (x ** 2).mean(axes, keepdims=True)
    return x / np.sqrt(ms + f32_attr(eps)) * g


@pytest.mark.parametrize("shape,norm_dims,eps", [
    ((3, 4, 5), 1, 1e-6), ((3, 4, 5), 2, 1e-6), ((2, 6), 1, 0.1)], ids=str)
def test_rms_norm(rng, shape, norm_dims, eps):
    x = normal(rng, shape)
    g = normal(rng, shape[-norm_dims:])
    check_grad(lambda x, g: F.rms_norm(x, g, eps=eps), x, g,
               argnums=(0, 1), ref=lambda x, g: rms_norm_ref(x, g, eps))


def cross_entropy_ref(z, labels):
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    return np.mean(lse - z[np.arange(len(labels)), labels])


@pytest.mark.parametrize("n,c,dtype", [(6, 10, "int64"), (4, 3, "int32"),
                                       (1, 5, "int64"), (3, 1, "int64")])
def test_cross_entropy(rng, n, c, dtype):
    logits = normal(rng, (n, c), 2.0)
    labels = rng.integers(0, c, n).astype(dtype)
    check_grad(F.cross_entropy, logits, labels, argnums=0,
               ref=cross_entropy_ref, max_coords=30)


def test_cross_entropy_label_gradient_is_rejected(rng):
    logits, labels = normal(rng, (3, 4)), np.array([0, 3, 1])
    with pytest.raises(TypeError, match="integer"):
        weft.grad(F.cross_entropy, argnums=1)(logits, labels)


def attention_ref(q, k, v, mask=None, is_causal=False, scale=None):
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else f32_attr(scale)
    s = q @ k.swapaxes(-1, -2) * scale
    if mask is not None:
        s = s + mask
    if is_causal:
        S, T = s.shape[-2:]
        s = np.where(np.arange(T)[None, :] > np.arange(S)[:, None], -np.inf, s)
    return softmax_ref(s, -1) @ v


SDPA = {  # q, k, v shapes, mask shape, is_causal, scale
    "plain": ((2, 3, 4), (2, 5, 4), (2, 5, 6), None, False, None),
    "rank4": ((1, 2, 4, 3), (1, 2, 4, 3), (1, 2, 4, 2), None, False, None),
    "causal": ((1, 2, 4, 3), (1, 2, 4, 3), (1, 2, 4, 2), None, True, None),
    "causal_s_lt_t": ((2, 3, 4), (2, 5, 4), (2, 5, 3), None, True, None),
    "mask": ((2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5), False, None),
    "mask_batched": ((2, 2, 3, 4), (2, 2, 4, 4), (2, 2, 4, 2), (2, 1, 3, 4),
                     False, 0.25),
    "mask_causal_scale": ((1, 4, 3), (1, 4, 3), (1, 4, 3), (4, 4), True, 0.7),
    "rank2": ((3, 4), (5, 4), (5, 2), None, False, None),
}


@pytest.mark.parametrize("name", list(SDPA))
def test_attention(rng, name):
    qs, ks, vs, ms, causal, scale = SDPA[name]
    q, k, v = normal(rng, qs), normal(rng, ks), normal(rng, vs)
    opts = dict(is_causal=causal, scale=scale)
    if ms is None:
        check_grad(lambda q, k, v: F.scaled_dot_product_attention(
            q, k, v, **opts), q, k, v, argnums=(0, 1, 2),
            ref=lambda q, k, v: attention_ref(q, k, v, **opts))
    else:
        mask = normal(rng, ms)
        check_grad(lambda q, k, v, m: F.scaled_dot_product_attention(
            q, k, v, mask=m, **opts), q, k, v, mask, argnums=(0, 1, 2, 3),
            ref=lambda q, k, v, m: attention_ref(q, k, v, m, **opts))


def test_mlp_with_cross_entropy(rng):
    # A small network end to end: the gradient of every parameter.
    x = normal(rng, (4, 6))
    w1, b1 = normal(rng, (5, 6), 0.5), normal(rng, (5,))
    g, b = normal(rng, (5,)), normal(rng, (5,))
    w2 = normal(rng, (3, 5), 0.5)
    labels = np.array([0, 2, 1, 2])

    def fn(w1, b1, g, b, w2, x, labels):
        h = F.gelu(F.layer_norm(F.linear(x, w1, b1), g, b))
        return F.cross_entropy(F.linear(h, w2), labels)

    check_grad(fn, w1, b1, g, b, w2, x, labels, argnums=(0, 1, 2, 3, 4, 5))


# ---------------------------------------------------------------------------
# The API: values, aux, argnums, errors
# ---------------------------------------------------------------------------

def _loss(x, y):
    return (F.tanh(x) * y).sum()


def _loss_ref(x, y):
    return (np.tanh(x) * y).sum()


def test_value_and_grad(rng):
    x, y = normal(rng, (3, 4)), normal(rng, (4,))
    value, (gx, gy) = weft.value_and_grad(_loss, argnums=(0, 1))(x, y)
    assert value.shape == () and value.dtype == f64
    np.testing.assert_allclose(value, weft.compile(_loss, x, y)(x, y),
                               rtol=1e-14)
    np.testing.assert_allclose(value, _loss_ref(x, y), rtol=1e-12)
    np.testing.assert_allclose(gx, (1 - np.tanh(x) ** 2) * y, rtol=1e-12)
    np.testing.assert_allclose(gy, np.tanh(x).sum(0), rtol=1e-12)
    g0 = weft.grad(_loss)(x, y)
    np.testing.assert_allclose(g0, gx, rtol=1e-14)


def test_argnums_forms(rng):
    x, y = normal(rng, (3, 4)), normal(rng, (4,))
    gy = weft.grad(_loss, argnums=1)(x, y)
    assert isinstance(gy, np.ndarray) and gy.shape == (4,)
    one = weft.grad(_loss, argnums=(1,))(x, y)
    assert isinstance(one, tuple) and len(one) == 1
    np.testing.assert_allclose(one[0], gy, rtol=1e-14)
    neg = weft.grad(_loss, argnums=-1)(x, y)
    np.testing.assert_allclose(neg, gy, rtol=1e-14)
    gx2, gy2 = weft.grad(_loss, argnums=(1, 0))(x, y)  # in argnums order
    assert gx2.shape == (4,) and gy2.shape == (3, 4)
    np.testing.assert_allclose(gx2, gy, rtol=1e-14)
    g = weft.grad(_loss, argnums=np.int64(0))(x, y)
    assert g.shape == (3, 4)


def test_has_aux(rng):
    x, y = normal(rng, (3, 4)), normal(rng, (4,))

    def with_aux(x, y):
        t = F.tanh(x)
        return (t * y).sum(), t

    grads, aux = weft.grad(with_aux, has_aux=True)(x, y)
    np.testing.assert_allclose(aux, np.tanh(x), rtol=1e-13)
    np.testing.assert_allclose(grads, (1 - np.tanh(x) ** 2) * y, rtol=1e-12)

    def with_two(x, y):
        t = F.tanh(x)
        return (t * y).sum(), (t, y * 2.0)

    (value, (a0, a1)), (gx, gy) = weft.value_and_grad(
        with_two, argnums=(0, 1), has_aux=True)(x, y)
    np.testing.assert_allclose(value, _loss_ref(x, y), rtol=1e-12)
    np.testing.assert_allclose(a0, np.tanh(x), rtol=1e-13)
    np.testing.assert_allclose(a1, y * 2, rtol=1e-15)
    np.testing.assert_allclose(gy, np.tanh(x).sum(0), rtol=1e-12)


def test_unused_argument_has_zero_gradient(rng):
    x, y = normal(rng, (3,)), normal(rng, (2, 2))
    gx, gy = weft.grad(lambda a, b: (a * a).sum(), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(gx, 2 * x, rtol=1e-15)
    np.testing.assert_array_equal(gy, np.zeros((2, 2)))


def test_one_element_loss_of_rank_two(rng):
    x = normal(rng, (3, 4))
    g = weft.grad(lambda t: (t * t).sum(axis=(0, 1), keepdims=True))(x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-15)


def test_recompiles_per_signature(rng):
    g = weft.grad(lambda t: (t * t).sum())
    np.testing.assert_allclose(g(np.ones(3)), [2, 2, 2])
    np.testing.assert_allclose(g(np.full((2, 2), 3.0)), np.full((2, 2), 6.0))
    np.testing.assert_allclose(g(np.ones(3) * 2), [4, 4, 4])


def test_error_integer_argnum(rng):
    table, ids = normal(rng, (5, 3)), np.array([1, 2, 2])
    f = weft.grad(lambda t, i: F.embedding(i, t).sum(), argnums=1)
    with pytest.raises(TypeError, match="integer"):
        f(table, ids)
    with pytest.raises(TypeError, match="integer"):
        weft.grad(lambda t, i: F.embedding(i, t).sum(), argnums=(0, 1))(
            table, ids.astype(np.int32))


def test_error_non_scalar_loss(rng):
    x = normal(rng, (3, 4))
    with pytest.raises(TypeError, match="one element"):
        weft.grad(lambda t: t * 2.0)(x)
    with pytest.raises(TypeError, match="one element"):
        weft.value_and_grad(lambda t: t.sum(axis=0))(x)
    with pytest.raises(TypeError, match="one element"):
        weft.grad(lambda t: (t, t.sum()), has_aux=True)(x)


def test_error_loss_not_float_or_not_tensor(rng):
    x = normal(rng, (3,))
    with pytest.raises(TypeError, match="float tensor"):
        weft.grad(lambda t: t.astype("int64").sum())(x)
    with pytest.raises(TypeError, match="Tensor"):
        weft.grad(lambda t: 1.0)(x)


@pytest.mark.parametrize("argnums", [2, -3, (0, 2), 5])
def test_error_argnums_out_of_range(rng, argnums):
    x, y = normal(rng, (3, 4)), normal(rng, (4,))
    with pytest.raises(ValueError, match="out of range"):
        weft.grad(_loss, argnums=argnums)(x, y)


@pytest.mark.parametrize("argnums", [(0, 0), (1, -1), (0, 1, 0)])
def test_error_argnums_repeated(rng, argnums):
    x, y = normal(rng, (3, 4)), normal(rng, (4,))
    with pytest.raises(ValueError, match="repeats"):
        weft.grad(_loss, argnums=argnums)(x, y)


def test_error_argnums_empty_or_not_int(rng):
    x, y = normal(rng, (3, 4)), normal(rng, (4,))
    with pytest.raises(ValueError, match="empty"):
        weft.grad(_loss, argnums=())(x, y)
    for bad in ("0", True, (0, None), (0.0,)):
        with pytest.raises(TypeError, match="argnums must be integers"):
            weft.grad(_loss, argnums=bad)(x, y)
    with pytest.raises(TypeError):
        weft.grad(_loss, argnums=1.0)(x, y)


@pytest.mark.parametrize("who", ["grad", "value_and_grad"])
def test_error_has_aux_structure(rng, who):
    x = normal(rng, (3,))
    make = getattr(weft, who)
    for bad in (lambda t: t.sum(),                       # no aux
                lambda t: (t.sum(), t, t),               # three results
                lambda t: [t.sum()],                     # one-element list
                lambda t: (t, t.sum())):                 # aux first
        with pytest.raises(TypeError):
            make(bad, has_aux=True)(x)


def test_check_grad_detects_a_wrong_gradient(rng, monkeypatch):
    # The checker itself: a gradient off by 1e-4 relative must fail it.
    real = weft.grad

    def off(fn, argnums=0, **kw):
        g = real(fn, argnums=argnums, **kw)
        return lambda *a: (lambda r: tuple(x * (1 + 1e-4) for x in r)
                           if isinstance(r, tuple) else r * (1 + 1e-4))(g(*a))

    monkeypatch.setattr(weft, "grad", off)
    with pytest.raises(AssertionError, match="finite difference"):
        check_grad(F.tanh, normal(rng, (3, 4)))
    with pytest.raises(AssertionError, match="finite difference"):
        check_grad(lambda a, b: a * b, normal(rng, (3,)), normal(rng, ()),
                   argnums=(0, 1))
