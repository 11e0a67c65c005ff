"""Every float op in float64 through weft.compile, against numpy float64.

Tolerance: 1e-12 relative to the reference's largest magnitude everywhere.
No op uses a polynomial approximation in f64 (weft-cpu-approximate-math
only rewrites f32 math): exp, log, tanh, erf and pow are libm calls and
sqrt an instruction, within an ulp or two of numpy's. Casts, embedding and
data movement are compared exactly.

The `epsilon` of the norms and an explicit attention `scale` are f32
attributes, so the references use those values rounded to float32.
"""
import math

import numpy as np
import pytest

import weft
import weft.functional as F
from conftest import assert_close, gelu_ref
from test_ops import conv_ref

f64 = np.float64
RTOL = 1e-12


def run(fn, *inputs, **options):
    return weft.compile(fn, *inputs, **options)(*inputs)


def r(rng, *shape):
    return rng.standard_normal(shape)


def check(got, ref, rtol=RTOL):
    assert got.dtype == f64, got.dtype
    assert_close(got, ref, rtol)


def f32_attr(v):
    """`v` as the f32 attribute holding it rounds it."""
    return float(np.float32(v))


@pytest.mark.parametrize("op,ref", [
    (lambda a, b: a + b, np.add), (lambda a, b: a - b, np.subtract),
    (lambda a, b: a * b, np.multiply), (lambda a, b: a / b, np.divide),
    (F.maximum, np.maximum), (F.minimum, np.minimum)])
def test_binary_broadcast(rng, op, ref):
    a, b = r(rng, 4, 1, 8), r(rng, 3, 1) + 3
    check(run(op, a, b), ref(a, b))


def test_pow(rng):
    a, b = np.abs(r(rng, 5, 6)) + 0.1, r(rng, 6)
    check(run(lambda x, y: x ** y, a, b), a ** b)
    check(run(lambda x: x ** 1.5, a), a ** 1.5)


def test_python_scalars_take_f64(rng):
    # 0.1 and 1e-3 are not float32 values: an f32 constant would be off by
    # ~1e-8 relative.
    a = r(rng, 5, 6)
    check(run(lambda x: 0.1 * x - 1e-3, a), 0.1 * a - 1e-3)
    check(run(lambda x: 1.0 / (x * x + 0.1), a), 1 / (a * a + 0.1))
    check(run(lambda x: x * np.float64(0.1) + np.float32(0.5), a),
          a * 0.1 + 0.5)
    check(run(lambda x: F.maximum(x, 0.1), a), np.maximum(a, 0.1))
    check(run(lambda x: -x, a), -a)


def test_scalar_alone_stays_float32():
    seen = {}

    def fn(x):
        seen["alone"] = F.exp(0.5).dtype
        seen["with_f64"] = (x + 0.5).dtype
        seen["int_with_float"] = (x.astype("int32") * 0.5).dtype
        return x

    weft.compile(fn, np.zeros(3, f64))
    assert seen == {"alone": "float32", "with_f64": "float64",
                    "int_with_float": "float32"}


@pytest.mark.parametrize("fn,ref", [
    (F.relu, lambda x: np.maximum(x, 0)),
    (F.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (F.tanh, np.tanh), (F.exp, np.exp), (F.abs, np.abs),
    (F.silu, lambda x: x / (1 + np.exp(-x))),
    (F.gelu, gelu_ref),
    (lambda x: F.gelu(x, approximate="tanh"),
     lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                      (x + 0.044715 * x ** 3))))])
def test_unary(rng, fn, ref):
    a = r(rng, 6, 7) * 2
    check(run(fn, a), ref(a))


@pytest.mark.parametrize("fn,ref", [
    (F.log, np.log), (F.sqrt, np.sqrt), (F.rsqrt, lambda x: 1 / np.sqrt(x))])
def test_unary_positive(rng, fn, ref):
    a = np.abs(r(rng, 6, 7)) + 0.1
    check(run(fn, a), ref(a))


@pytest.mark.parametrize("use_blas", [True, False])
def test_matmul(rng, use_blas):
    # With use_blas f64 products are still generated kernels (no sgemm).
    a, b = r(rng, 8, 16), r(rng, 16, 4)
    check(run(lambda x, y: x @ y, a, b, use_blas=use_blas), a @ b)
    at = r(rng, 16, 8)
    check(run(lambda x, y: x.T @ y, at, b, use_blas=use_blas), at.T @ b)
    a3 = r(rng, 2, 8, 16)
    check(run(lambda x, y: x @ y, a3, b, use_blas=use_blas), a3 @ b)
    b3 = r(rng, 2, 16, 5)
    check(run(lambda x, y: x @ y, a3, b3, use_blas=use_blas), a3 @ b3)
    w, bias = r(rng, 3, 16), r(rng, 3)
    check(run(lambda x: F.linear(x, w, bias), a, use_blas=use_blas),
          a @ w.T + bias)


def test_layout(rng):
    a = r(rng, 2, 3, 4)
    check(run(lambda x: x.transpose(2, 0, 1), a), a.transpose(2, 0, 1))
    check(run(lambda x: x.reshape(4, -1), a), a.reshape(4, -1))
    check(run(lambda x: x.T, a[0]), a[0].T)
    row = r(rng, 4)
    check(run(lambda x, y: x + y * 0, row, a), np.broadcast_to(row, a.shape))
    check(run(lambda x: x[1:, ::2, -3:], a), a[1:, ::2, -3:])
    check(run(lambda x: x[1, 2], a), a[1, 2])
    b = r(rng, 2, 5, 4)
    check(run(lambda x, y: F.concat([x, y], axis=1), a, b),
          np.concatenate([a, b], 1))


@pytest.mark.parametrize("method", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False),
                                           ((0, 2), True), (-1, True)])
def test_reductions(rng, method, axis, keepdims):
    a = r(rng, 3, 4, 5)
    got = run(lambda x: getattr(x, method)(axis=axis, keepdims=keepdims), a)
    check(got, getattr(a, method)(axis=axis, keepdims=keepdims))


def test_long_sum_accumulates_in_f64(rng):
    # 1 + 2^-30 per element: an f32 accumulator would be off by ~1e-9.
    a = np.full((2, 4096), 1 + 2.0 ** -30) + r(rng, 2, 4096) * 2.0 ** -40
    check(run(lambda x: x.sum(axis=1), a), a.sum(1))
    check(run(lambda x: x.mean(axis=1), a), a.mean(1))


def test_softmax_and_norms(rng):
    a = r(rng, 2, 5, 16)
    e = np.exp(a - a.max(1, keepdims=True))
    check(run(lambda x: F.softmax(x, axis=1), a), e / e.sum(1, keepdims=True))
    g, b = r(rng, 16), r(rng, 16)
    m = a.mean(-1, keepdims=True)
    v = ((a - m) ** 2).mean(-1, keepdims=True)
    check(run(lambda x: F.layer_norm(x, g, b, eps=1e-5), a),
          (a - m) / np.sqrt(v + f32_attr(1e-5)) * g + b)
    ms = (a ** 2).mean(-1, keepdims=True)
    check(run(lambda x: F.rms_norm(x, g, eps=1e-6), a),
          a / np.sqrt(ms + f32_attr(1e-6)) * g)


def test_embedding(rng):
    table, ids = r(rng, 50, 8), rng.integers(0, 50, (3, 4))
    got = run(lambda i: F.embedding(i, table), ids)
    assert got.dtype == f64 and np.array_equal(got, table[ids])


@pytest.mark.parametrize("stride,pad,groups",
                         [(1, 0, 1), (2, 1, 1), (1, 1, 2)])
def test_conv2d(rng, stride, pad, groups):
    x, w, b = r(rng, 2, 4, 9, 9), r(rng, 6, 4 // groups, 3, 3), r(rng, 6)
    got = run(lambda t: F.conv2d(t, w, b, stride=stride, padding=pad,
                                 groups=groups), x)
    check(got, conv_ref(x, w, stride, pad, groups) + b[None, :, None, None])


def test_pooling(rng):
    x = r(rng, 2, 3, 8, 8)
    check(run(lambda t: F.max_pool2d(t, 2), x),
          x.reshape(2, 3, 4, 2, 4, 2).max((3, 5)))
    check(run(lambda t: F.avg_pool2d(t, 2), x),
          x.reshape(2, 3, 4, 2, 4, 2).mean((3, 5)))
    # Padded positions are not counted by the average.
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ones = np.pad(np.ones_like(x), ((0, 0), (0, 0), (1, 1), (1, 1)))
    win = lambda t: t.reshape(2, 3, 5, 2, 5, 2).sum((3, 5))  # noqa: E731
    check(run(lambda t: F.avg_pool2d(t, 2, padding=1), x), win(p) / win(ones))


def test_cross_entropy(rng):
    logits, labels = r(rng, 6, 10) * 3, rng.integers(0, 10, 6)
    z = logits
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    check(run(F.cross_entropy, logits, labels),
          np.mean(lse - z[np.arange(6), labels]))


@pytest.mark.parametrize("use_blas", [True, False])
@pytest.mark.parametrize("causal,masked,scale", [
    (False, False, None), (True, False, None), (False, True, None),
    (True, True, 0.3)])
def test_attention(rng, causal, masked, scale, use_blas):
    q, k, v = r(rng, 2, 3, 5, 6), r(rng, 2, 3, 7, 6), r(rng, 2, 3, 7, 4)
    if causal:
        k, v = k[:, :, :5], v[:, :, :5]
    mask = r(rng, 5, k.shape[2]) if masked else None
    got = run(lambda a, b, c: F.scaled_dot_product_attention(
        a, b, c, mask=mask, is_causal=causal, scale=scale), q, k, v,
        use_blas=use_blas)
    s = q @ k.transpose(0, 1, 3, 2) * (1 / math.sqrt(6) if scale is None
                                       else f32_attr(scale))
    if masked:
        s = s + mask
    if causal:
        s = np.where(np.triu(np.ones((5, 5), bool), 1), -np.inf, s)
    p = np.exp(s - s.max(-1, keepdims=True))
    check(got, (p / p.sum(-1, keepdims=True)) @ v)


def bf16_ref(x):
    """float64 values rounded once to the nearest bfloat16 (ties to even),
    as float64: 8 significant bits, subnormal below 2^-126."""
    def one(v):
        if v == 0 or not math.isfinite(v):
            return v
        e = max(math.frexp(v)[1], -125)
        quantum = math.ldexp(1.0, e - 8)
        # Exact; round() ties to even; an underflow keeps its sign.
        return math.copysign(round(v / quantum) * quantum, v)
    return np.vectorize(one, otypes=[f64])(x)


def cast_inputs(rng):
    """Random values plus the ties and near-ties of 16-bit rounding, where
    rounding to f32 first and then to f16 / bf16 would round twice."""
    eps = 2.0 ** -40
    special = [1 + 2.0 ** -8, 1 + 2.0 ** -8 + eps, 1 + 3 * 2.0 ** -8,
               -(1 + 2.0 ** -8 + eps), 1 + 2.0 ** -11, 1 + 2.0 ** -11 + eps,
               -(1 + 3 * 2.0 ** -11 - eps), 1e-300, -1e-300, 0.0, -0.0,
               3e38, 65519.0, 65520.0, np.inf, -np.inf]
    return np.concatenate([r(rng, 32) * 100, special])


def same(got, ref):
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.dtype == ref.dtype, (got.dtype, ref.dtype)
    assert np.array_equal(got, ref, equal_nan=True), (got, ref)
    assert np.array_equal(np.signbit(got), np.signbit(ref))


def test_casts_from_f64(rng):
    # No bf16 subnormals here: f32 -> bf16 on AVX512-BF16 CPUs
    # (vcvtneps2bf16) flushes them to zero, for f32 inputs as well.
    x = cast_inputs(rng)
    same(run(lambda t: t.astype("float32"), x), x.astype(np.float32))
    with np.errstate(over="ignore"):
        want16 = x.astype(np.float16)
    same(run(lambda t: t.astype("float16"), x), want16)
    same(run(lambda t: t.astype("bfloat16").astype("float64"), x),
         bf16_ref(x))
    ints = r(rng, 64) * 100
    for dt in ("int8", "int32", "int64"):
        same(run(lambda t: t.astype(dt), ints), np.trunc(ints).astype(dt))


def test_casts_to_f64(rng):
    x = r(rng, 64) * 100
    h = x.astype(np.float16)
    same(run(lambda t: t.astype("float64"), h), h.astype(f64))
    s = x.astype(np.float32)
    same(run(lambda t: t.astype("float64"), s), s.astype(f64))
    i = np.array([0, 1, -7, 2 ** 53 + 1, -(2 ** 62) - 3, 2 ** 63 - 1],
                 np.int64)
    same(run(lambda t: t.astype("float64"), i), i.astype(f64))
    i8 = np.arange(-128, 128).astype(np.int8)
    same(run(lambda t: t.astype("float64"), i8), i8.astype(f64))
    # bf16 -> f64 is exact: bf16 values round-trip.
    b = bf16_ref(x)
    same(run(lambda t: t.astype("bfloat16").astype("float64"), b), b)


def test_parameters_and_jit(rng):
    w = weft.Parameter(r(rng, 4, 3), name="w")
    assert w.dtype == "float64"

    @weft.jit
    def f(x):
        return F.tanh(x @ w) + 1.0

    x = r(rng, 5, 4)
    check(f(x), np.tanh(x @ w.data) + 1)


def test_dtype_mismatch_is_an_error(rng):
    with pytest.raises(weft.ShapeError, match="'f64' vs 'f32'"):
        weft.compile(lambda x, y: x + y, np.zeros(3), np.zeros(3, np.float32))


def test_sharded_on_four_devices(rng):
    # Tensor parallel (b=128, h=256 all-reduces partial f64 sums between
    # the devices): the collectives reduce in f64.
    class MLP(weft.nn.Module):
        def __init__(self, h):
            super().__init__()
            self.w1 = weft.Parameter(r(rng, h, h) / np.sqrt(h))
            self.w2 = weft.Parameter(r(rng, h, h) / np.sqrt(h))

        def forward(self, x):
            return F.gelu(x @ self.w1) @ self.w2

    m, x = MLP(256), r(rng, 128, 256)
    mesh = weft.Mesh((4,), ("tp",), latency_us=[1.0], bandwidth_gbps=[10.0],
                     flops=1e11)
    sharded = weft.compile(m, x, mesh=mesh, shard_training=True)
    assert any("all_reduce" in str(row["collectives"])
               for row in sharded.plan_report().ops)
    check(sharded(x), gelu_ref(x @ m.w1.data) @ m.w2.data)
