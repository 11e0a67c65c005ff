"""Each traced op against numpy (float64 references)."""
import math

import numpy as np
import pytest

import weft
import weft.functional as F
from conftest import assert_close, gelu_ref

f32 = np.float32


def run(fn, *inputs, **options):
    return weft.compile(fn, *inputs, **options)(*inputs)


def r(rng, *shape):
    return rng.standard_normal(shape).astype(f32)


def d(x):
    return x.astype(np.float64)


@pytest.mark.parametrize("op,ref", [
    (lambda a, b: a + b, np.add), (lambda a, b: a - b, np.subtract),
    (lambda a, b: a * b, np.multiply), (lambda a, b: a / b, np.divide),
    (F.maximum, np.maximum), (F.minimum, np.minimum)])
def test_binary_broadcast(rng, op, ref):
    a, b = r(rng, 4, 1, 8), r(rng, 3, 1) + 3
    assert_close(run(op, a, b), ref(d(a), d(b)))


def test_scalars_and_reflected(rng):
    a = r(rng, 5, 6)
    assert_close(run(lambda x: 2.0 * x - 1.5, a), 2 * d(a) - 1.5)
    assert_close(run(lambda x: 1.0 / (x * x + 1.0), a), 1 / (d(a) ** 2 + 1))
    assert_close(run(lambda x: -x, a), -d(a))


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
    assert_close(run(fn, a), ref(d(a)))


@pytest.mark.parametrize("fn,ref", [
    (F.log, np.log), (F.sqrt, np.sqrt), (F.rsqrt, lambda x: 1 / np.sqrt(x)),
    (lambda x: x ** 1.5, lambda x: x ** 1.5)])
def test_unary_positive(rng, fn, ref):
    a = np.abs(r(rng, 6, 7)) + 0.1
    assert_close(run(fn, a), ref(d(a)))


@pytest.mark.parametrize("use_blas", [True, False])
def test_matmul(rng, use_blas):
    a, b = r(rng, 8, 16), r(rng, 16, 4)
    assert_close(run(lambda x, y: x @ y, a, b, use_blas=use_blas), d(a) @ d(b))
    a3 = r(rng, 2, 8, 16)
    assert_close(run(lambda x, y: x @ y, a3, b, use_blas=use_blas),
                 d(a3) @ d(b))
    b3 = r(rng, 2, 16, 5)
    assert_close(run(lambda x, y: x @ y, a3, b3, use_blas=use_blas),
                 d(a3) @ d(b3))


def test_layout(rng):
    a = r(rng, 2, 3, 4)
    assert_close(run(lambda x: x.transpose(2, 0, 1), a), d(a).transpose(2, 0, 1))
    assert_close(run(lambda x: x.reshape(4, -1), a), d(a).reshape(4, -1))
    m = r(rng, 3, 5)
    assert_close(run(lambda x: x.T, m), d(m).T)
    assert_close(run(lambda x: x.astype("int32").astype("float32"), m * 10),
                 np.trunc(d(m * 10)))


@pytest.mark.parametrize("method", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False),
                                           ((0, 2), True), (-1, True)])
def test_reductions(rng, method, axis, keepdims):
    a = r(rng, 3, 4, 5)
    got = run(lambda x: getattr(x, method)(axis=axis, keepdims=keepdims), a)
    assert_close(got, getattr(d(a), method)(axis=axis, keepdims=keepdims))


def test_indexing(rng):
    a = r(rng, 6, 8)
    assert_close(run(lambda x: x[1:5, ::2], a), d(a)[1:5, ::2])
    assert_close(run(lambda x: x[2], a), d(a)[2])
    assert_close(run(lambda x: x[..., -3:], a), d(a)[..., -3:])
    assert_close(run(lambda x: x[-1, 3:4], a), d(a)[-1, 3:4])


def test_softmax_and_norms(rng):
    a = r(rng, 2, 5, 16)
    e = np.exp(d(a) - d(a).max(1, keepdims=True))
    assert_close(run(lambda x: F.softmax(x, axis=1), a),
                 e / e.sum(1, keepdims=True))
    g, b = r(rng, 16), r(rng, 16)
    m = d(a).mean(-1, keepdims=True)
    v = ((d(a) - m) ** 2).mean(-1, keepdims=True)
    assert_close(run(lambda x: F.layer_norm(x, g, b, eps=1e-5), a),
                 (d(a) - m) / np.sqrt(v + 1e-5) * g + b)
    ms = (d(a) ** 2).mean(-1, keepdims=True)
    assert_close(run(lambda x: F.rms_norm(x, g, eps=1e-6), a),
                 d(a) / np.sqrt(ms + 1e-6) * g)


def test_embedding_and_concat(rng):
    table, ids = r(rng, 50, 8), rng.integers(0, 50, (3, 4))
    assert_close(run(lambda i: F.embedding(i, table), ids), d(table)[ids])
    a, b = r(rng, 3, 2), r(rng, 3, 5)
    assert_close(run(lambda x, y: F.concat([x, y], axis=1), a, b),
                 np.concatenate([d(a), d(b)], 1))


def conv_ref(x, w, stride=1, pad=0, groups=1):
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // groups
    for g in range(groups):
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
                out[:, g * fg:(g + 1) * fg] += np.einsum(
                    "nchw,fc->nfhw", patch, w[g * fg:(g + 1) * fg, :, i, j])
    return out


@pytest.mark.parametrize("stride,pad,groups", [(1, 0, 1), (2, 1, 1), (1, 1, 2)])
def test_conv2d(rng, stride, pad, groups):
    x, w, b = r(rng, 2, 4, 9, 9), r(rng, 6, 4 // groups, 3, 3), r(rng, 6)
    got = run(lambda t: F.conv2d(t, w, b, stride=stride, padding=pad,
                                 groups=groups), x)
    assert_close(got, conv_ref(d(x), d(w), stride, pad, groups) +
                 d(b)[None, :, None, None])


def test_pooling(rng):
    x = r(rng, 2, 3, 8, 8)
    assert_close(run(lambda t: F.max_pool2d(t, 2), x),
                 d(x).reshape(2, 3, 4, 2, 4, 2).max((3, 5)))
    assert_close(run(lambda t: F.avg_pool2d(t, 2), x),
                 d(x).reshape(2, 3, 4, 2, 4, 2).mean((3, 5)))


def test_cross_entropy(rng):
    logits, labels = r(rng, 6, 10), rng.integers(0, 10, 6)
    z = d(logits)
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    assert_close(run(F.cross_entropy, logits, labels),
                 np.mean(lse - z[np.arange(6), labels]))


@pytest.mark.parametrize("use_blas", [True, False])
@pytest.mark.parametrize("causal,masked", [(False, False), (True, False),
                                           (False, True), (True, True)])
def test_attention(rng, causal, masked, use_blas):
    q, k, v = r(rng, 2, 3, 5, 4), r(rng, 2, 3, 7, 4), r(rng, 2, 3, 7, 6)
    if causal:
        k, v = k[:, :, :5], v[:, :, :5]
    mask = r(rng, 5, k.shape[2]) if masked else None
    got = run(lambda a, b, c: F.scaled_dot_product_attention(
        a, b, c, mask=mask, is_causal=causal), q, k, v, use_blas=use_blas)
    s = d(q) @ d(k).transpose(0, 1, 3, 2) / 2.0
    if masked:
        s = s + mask
    if causal:
        s = np.where(np.triu(np.ones((5, 5), bool), 1), -np.inf, s)
    p = np.exp(s - s.max(-1, keepdims=True))
    assert_close(got, (p / p.sum(-1, keepdims=True)) @ d(v))


def test_multiple_outputs_and_jit(rng):
    @weft.jit
    def two(x, y):
        return x + y, x * y

    a, b = r(rng, 3, 3), r(rng, 3, 3)
    s, p = two(a, b)
    assert_close(s, d(a) + d(b))
    assert_close(p, d(a) * d(b))
    # A second signature compiles again; the first stays cached.
    s2, _ = two(r(rng, 2, 2), r(rng, 2, 2))
    assert s2.shape == (2, 2)
    assert len(two._cache) == 2


def test_long_f32_sums_are_accurate():
    # A sequential f32 sum of n elements errs by up to ~n * 2^-24; long
    # sums (the full mean of a loss) accumulate in f64 and round once.
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((64, 8192)) + 3).astype(np.float32)
    exact = x.astype(np.float64)
    mean = weft.jit(lambda t: t.mean())(x)
    assert abs(float(mean) / exact.mean() - 1) < 1e-6
    rows = weft.jit(lambda t: t.sum(axis=1))(x)
    np.testing.assert_allclose(rows, exact.sum(axis=1), rtol=1e-6)
