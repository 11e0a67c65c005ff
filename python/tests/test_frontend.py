"""The Python frontend's rules: axes, scalar promotion, 0-d tensors and
Tensors that outlive their trace. Results are checked against numpy."""
import numpy as np
import pytest

import weft
import weft.functional as F
from conftest import assert_close

f32 = np.float32


def run(fn, *inputs):
    return weft.compile(fn, *inputs)(*inputs)


# Axes ----------------------------------------------------------------------
# Every op that takes an axis, called with one that is out of range for a
# rank-2 input: each must raise AxisError naming the axis and the rank.
BAD_AXES = {
    "sum": (lambda x: x.sum(axis=5), 5),
    "sum_tuple": (lambda x: x.sum(axis=(0, 2)), 2),
    "mean_negative": (lambda x: x.mean(axis=-3), -3),
    "max": (lambda x: x.max(axis=2, keepdims=True), 2),
    "transpose": (lambda x: x.transpose(1, 2), 2),
    "transpose_negative": (lambda x: x.transpose(-3, 0), -3),
    "softmax": (lambda x: F.softmax(x, axis=2), 2),
    "softmax_negative": (lambda x: F.softmax(x, axis=-3), -3),
    "concat": (lambda x: F.concat([x, x], axis=2), 2),
    "concat_negative": (lambda x: F.concat([x, x], axis=-3), -3),
}


@pytest.mark.parametrize("name", sorted(BAD_AXES))
def test_out_of_range_axis_raises(name):
    fn, axis = BAD_AXES[name]
    with pytest.raises(weft.AxisError,
                       match=rf"axis {axis} is out of bounds for a tensor of "
                             rf"rank 2"):
        weft.compile(fn, np.zeros((3, 4), f32))


def test_axis_error_is_value_and_index_error_like_numpy():
    assert issubclass(weft.AxisError, ValueError)
    assert issubclass(weft.AxisError, IndexError)
    assert issubclass(weft.AxisError, weft.ShapeError)


@pytest.mark.parametrize("fn,match", [
    (lambda x: x.sum(axis=(1, -1)), "repeated axis"),
    (lambda x: x.transpose(0, 0), "repeated axis"),
    (lambda x: x.transpose(0), "do not match a tensor of rank 2"),
    (lambda x: x.transpose(0, 1, 2), "out of bounds"),
])
def test_bad_axis_lists(fn, match):
    with pytest.raises(weft.AxisError, match=match):
        weft.compile(fn, np.zeros((3, 4), f32))


@pytest.mark.parametrize("axis", [1.0, "0", True, None])
def test_non_integer_axis(axis):
    with pytest.raises(TypeError, match="axis must be an integer"):
        weft.compile(lambda x: F.softmax(x, axis=axis), np.zeros((3, 4), f32))


def test_axes_in_range_and_numpy_integers(rng):
    a = rng.standard_normal((2, 3, 4)).astype(f32)
    d = a.astype(np.float64)
    assert_close(run(lambda x: x.sum(axis=np.int64(-1)), a), d.sum(-1))
    assert_close(run(lambda x: x.mean(axis=(-1, 0)), a), d.mean((0, 2)))
    assert_close(run(lambda x: x.transpose(-1, 0, -2), a),
                 d.transpose(2, 0, 1))
    assert_close(run(lambda x: F.concat([x, x], axis=-2), a),
                 np.concatenate([d, d], -2))


@pytest.mark.parametrize("shape,error", [
    ((-2, -3), weft.ShapeError), ((-1, -1), weft.ShapeError),
    ((2.0, 3), TypeError), ((7, -1), weft.ShapeError)])
def test_bad_reshape_shapes(shape, error):
    with pytest.raises(error):
        weft.compile(lambda x: x.reshape(shape), np.zeros((2, 3), f32))


# Tensors after their trace ---------------------------------------------------
def _kept_tensor(shape=(3, 4)):
    """A Tensor smuggled out of a finished trace."""
    kept = []

    def fn(x):
        kept.append(x)
        return x + 1.0

    weft.compile(fn, np.zeros(shape, f32))
    return kept[0]


# Every public method and operator of Tensor, used on a kept Tensor; the
# test below checks this table covers all of them.
DEAD_USES = {
    "__add__": lambda t: t + 1.0, "__radd__": lambda t: 1.0 + t,
    "__sub__": lambda t: t - t, "__rsub__": lambda t: 1.0 - t,
    "__mul__": lambda t: t * 2.0, "__rmul__": lambda t: 2.0 * t,
    "__truediv__": lambda t: t / 2.0, "__rtruediv__": lambda t: 2.0 / t,
    "__pow__": lambda t: t ** 2.0, "__rpow__": lambda t: 2.0 ** t,
    "__neg__": lambda t: -t,
    "__matmul__": lambda t: t @ t.T,
    "__rmatmul__": lambda t: np.ones((2, 3), f32) @ t,
    "__getitem__": lambda t: t[:],
    "T": lambda t: t.T,
    "transpose": lambda t: t.transpose(1, 0),
    "reshape": lambda t: t.reshape(3, 4),
    "astype": lambda t: t.astype("float32"),
    "sum": lambda t: t.sum(), "mean": lambda t: t.mean(axis=0),
    "max": lambda t: t.max(axis=1),
}
DEAD_FUNCTIONAL = {
    "relu": lambda t: F.relu(t), "softmax": lambda t: F.softmax(t),
    "maximum": lambda t: F.maximum(t, 0.0),
    "maximum_reflected": lambda t: F.maximum(0.0, t),
    "concat": lambda t: F.concat([t, t]),
    "matmul": lambda t: weft.matmul(t, t.T),
    "linear": lambda t: F.linear(t, np.ones((2, 4), f32)),
    "layer_norm": lambda t: F.layer_norm(t, np.ones(4, f32),
                                         np.zeros(4, f32)),
}
# Attributes that read the traced type and add no op.
NOT_OPS = {"shape", "dtype", "ndim", "size"}


def test_dead_use_table_covers_every_tensor_method():
    ops = {n for n, v in vars(weft.Tensor).items()
           if (callable(v) or isinstance(v, property)) and
           n not in ("__init__", "__repr__") and
           (n.startswith("__") or not n.startswith("_"))}
    assert ops - NOT_OPS == set(DEAD_USES)


@pytest.mark.parametrize("use", sorted(DEAD_USES) + sorted(DEAD_FUNCTIONAL))
def test_tensor_after_its_trace_raises(use):
    t = _kept_tensor()
    fn = DEAD_USES.get(use) or DEAD_FUNCTIONAL[use]
    with pytest.raises(RuntimeError, match="belongs to a trace that has "
                                           "ended"):
        fn(t)
    # The same inside another trace: still the kept Tensor's fault.
    with pytest.raises(RuntimeError, match="belongs to a trace that has "
                                           "ended"):
        weft.compile(lambda x: fn(t), np.zeros((3, 4), f32))
    assert t.shape == (3, 4) and t.dtype == "float32"  # still readable


def test_tensor_after_failed_trace_raises():
    kept = []

    def bad(x):
        kept.append(x)
        return x @ x  # shape error ends the trace

    with pytest.raises(weft.ShapeError):
        weft.compile(bad, np.zeros((3, 4), f32))
    with pytest.raises(RuntimeError, match="trace that has ended"):
        kept[0] + 1.0


def test_graph_unchanged_by_dead_use():
    kept = []
    c = weft.compile(lambda x: kept.append(x) or x * 3.0, np.ones(4, f32))
    before = c.mlir("weft")
    with pytest.raises(RuntimeError):
        kept[0] * 2.0
    assert c.mlir("weft") == before
    np.testing.assert_array_equal(c(np.ones(4, f32)), np.full(4, 3, f32))


# 0-d tensors ---------------------------------------------------------------
@pytest.mark.parametrize("name,fn,ref", [
    ("scalar_op", lambda s, x: s * 2.0 - 1.0, lambda s, x: s * 2 - 1),
    ("broadcast", lambda s, x: x / s + s, lambda s, x: x / s + s),
    ("unary", lambda s, x: F.exp(s), lambda s, x: np.exp(s)),
    ("full_sum", lambda s, x: x.sum(), lambda s, x: x.sum()),
    ("full_mean_max", lambda s, x: x.mean() + x.max(axis=(0, 1)),
     lambda s, x: x.mean() + x.max()),
    ("sum_of_0d", lambda s, x: s.sum(), lambda s, x: s.sum()),
    ("sum_keepdims_of_0d", lambda s, x: s.mean(keepdims=True),
     lambda s, x: s.mean(keepdims=True)),
    ("sum_empty_axes", lambda s, x: x.sum(axis=()), lambda s, x: x.sum(())),
    ("reduced_then_divided", lambda s, x: x.sum() / 2,
     lambda s, x: x.sum() / 2),
    ("index", lambda s, x: x[1, 2] * s, lambda s, x: x[1, 2] * s),
    ("index_0d", lambda s, x: s[()] + s[...], lambda s, x: s[()] + s[...]),
    ("reshape", lambda s, x: s.reshape(1, 1).reshape(()),
     lambda s, x: s.reshape(())),
    ("transpose", lambda s, x: s.T, lambda s, x: s.T),
    ("maximum", lambda s, x: F.maximum(s, x), np.maximum),
])
def test_zero_d_inputs_and_results(rng, name, fn, ref):
    s = np.array(rng.uniform(1, 2), f32)
    x = rng.standard_normal((2, 3)).astype(f32)
    got = run(fn, s, x)
    want = np.asarray(ref(s.astype(np.float64), x.astype(np.float64)))
    assert got.shape == want.shape
    assert_close(got, want)


def test_zero_d_cross_entropy_and_parameter(rng):
    logits = rng.standard_normal((4, 5)).astype(f32)
    labels = np.array([0, 3, 1, 4])
    z = logits.astype(np.float64)
    lse = np.log(np.exp(z).sum(1))
    loss = np.mean(lse - z[np.arange(4), labels])
    got = run(lambda a: F.cross_entropy(a, labels) / 2, logits)
    assert got.shape == ()
    assert_close(got, loss / 2)

    class Scale(weft.nn.Module):
        def __init__(self):
            super().__init__()
            self.k = weft.Parameter(np.array(3.0, f32))

        def forward(self, x):
            return x * self.k

    m = Scale()
    assert m.k.shape == ()
    c = weft.compile(m, logits)
    m.load_state_dict({"k": np.array(-0.5)})
    assert m.k.shape == ()
    assert_close(c(logits), z * -0.5)


def test_zero_d_axis_errors():
    s = np.array(1.0, f32)
    with pytest.raises(weft.AxisError, match="axis 0 is out of bounds for a "
                                             "tensor of rank 0"):
        weft.compile(lambda t: t.sum(axis=0), s)
    with pytest.raises(weft.AxisError, match="rank 0"):
        weft.compile(lambda t: F.softmax(t), s)
    c = weft.compile(lambda t: t + 1.0, s)
    with pytest.raises(ValueError, match=r"expects float32\[\], got "
                                         r"float32\[1\]"):
        c(np.ones(1, f32))


# Scalar promotion ----------------------------------------------------------
OPS = {"add": (lambda x: x + 3, lambda x: x + 3),
       "radd": (lambda x: 3 + x, lambda x: 3 + x),
       "sub": (lambda x: x - 5, lambda x: x - 5),
       "rsub": (lambda x: 5 - x, lambda x: 5 - x),
       "mul": (lambda x: x * -2, lambda x: x * -2),
       "rmul": (lambda x: True * x, lambda x: True * x),
       "max": (lambda x: F.maximum(x, 1), lambda x: np.maximum(x, 1)),
       "rmin": (lambda x: F.minimum(np.int64(1), x),
                lambda x: np.minimum(1, x))}


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_int_scalar_keeps_integer_dtype(rng, dtype, op):
    fn, ref = OPS[op]
    x = rng.integers(-20, 20, (3, 4)).astype(dtype)
    got = run(fn, x)
    want = ref(x)  # numpy 2: a Python int keeps the array's dtype
    assert got.dtype == want.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, want)


FLOAT_OPS = {"mul": (lambda x: x * 0.5, lambda x: x * 0.5),
             "rmul": (lambda x: 0.5 * x, lambda x: 0.5 * x),
             "add": (lambda x: x + 0.25, lambda x: x + 0.25),
             "rsub": (lambda x: 1.5 - x, lambda x: 1.5 - x),
             "div": (lambda x: x / 4.0, lambda x: x / 4.0),
             "rdiv": (lambda x: 1.0 / x, lambda x: 1.0 / x),
             "pow": (lambda x: x ** 2.0, lambda x: x ** 2.0),
             "np_float": (lambda x: x * np.float64(0.5), lambda x: x * 0.5),
             "max": (lambda x: F.maximum(0.5, x),
                     lambda x: np.maximum(0.5, x))}


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64"])
@pytest.mark.parametrize("op", sorted(FLOAT_OPS))
def test_float_scalar_with_integer_tensor_gives_float32(rng, dtype, op):
    fn, ref = FLOAT_OPS[op]
    x = rng.integers(1, 20, (3, 4)).astype(dtype)
    got = run(fn, x)
    assert got.dtype == np.float32
    assert_close(got, ref(x.astype(np.float64)), rtol=1e-6)


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64"])
def test_true_division_of_integers(rng, dtype):
    x = rng.integers(-20, 20, (3, 4)).astype(dtype)
    y = rng.integers(1, 9, (3, 4)).astype(dtype)
    for fn, ref in [(lambda a, b: a / b, lambda a, b: a / b),
                    (lambda a, b: a / 3, lambda a, b: a / 3),
                    (lambda a, b: 7 / b, lambda a, b: 7 / b)]:
        got = run(fn, x, y)
        assert got.dtype == np.float32
        assert_close(got, ref(x.astype(np.float64), y.astype(np.float64)),
                     rtol=1e-6)


@pytest.mark.parametrize("dtype,value", [
    ("int8", 300), ("int8", -129), ("int8", 128), ("int32", 2**31),
    ("int32", -2**31 - 1), ("int64", 2**63), ("int8", np.int64(1000))])
def test_int_scalar_out_of_range_overflows(dtype, value):
    x = np.zeros(3, dtype)
    if isinstance(value, int):  # numpy 2 raises for Python ints, too
        with pytest.raises(OverflowError):
            np.zeros(3, dtype) + value
    for fn in [lambda t: t + value, lambda t: value - t,
               lambda t: F.maximum(t, value)]:
        with pytest.raises(OverflowError, match=rf"Python integer {value} "
                                                rf"out of bounds for {dtype}"):
            weft.compile(fn, x)


def test_int_scalar_at_the_limits_fits():
    x = np.zeros(2, np.int8)
    np.testing.assert_array_equal(run(lambda t: t + 127, x), [127, 127])
    np.testing.assert_array_equal(run(lambda t: t + -128, x), [-128, -128])


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_scalars_take_a_float_tensors_dtype(rng, dtype):
    x = rng.standard_normal((3, 4)).astype(dtype)
    for fn, ref in [(lambda t: t * 3, None), (lambda t: 0.1 + t, None),
                    (lambda t: t - True, None),
                    (lambda t: F.maximum(t, 0), lambda t: np.maximum(t, 0))]:
        got, want = run(fn, x), (ref or fn)(x)  # numpy 2: weak scalars
        assert got.dtype == want.dtype == np.dtype(dtype)
        np.testing.assert_allclose(got, want, rtol=1e-3)
    # numpy scalars are weak too (numpy 2 would give float64 here).
    got = run(lambda t: t * np.float64(2), x)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, x * 2)


def test_bfloat16_scalars(rng):
    x = rng.standard_normal((3, 4)).astype(f32)
    got = run(lambda t: (t.astype("bfloat16") * 2.5 + 1).astype("float32"), x)
    assert_close(got, x.astype(np.float64) * 2.5 + 1, rtol=2e-2)
    with pytest.raises(TypeError, match="result 0 is bfloat16.*ml_dtypes"):
        weft.compile(lambda t: t.astype("bfloat16"), x)


def test_tensors_of_different_dtypes_raise():
    with pytest.raises(weft.ShapeError, match="element types differ"):
        weft.compile(lambda a, b: a + b, np.zeros(2, np.int32),
                     np.zeros(2, f32))


@pytest.mark.parametrize("dtype", ["int8", "int32", "int64"])
def test_mean_of_integers_is_float(rng, dtype):
    x = rng.integers(-9, 9, (3, 4)).astype(dtype)
    for axis in [None, 1, (0, 1)]:
        got = run(lambda t: t.mean(axis=axis), x)
        assert got.dtype == np.float32
        assert_close(got, x.mean(axis=axis), rtol=1e-6)  # not truncated


def test_unnamed_parameter_is_rebound():
    """A Parameter used outside a Module (no state_dict name) is state too;
    replacing its array re-binds it before the next call."""
    p = weft.Parameter(np.array([1.0, 2.0], np.float32))
    x = np.array([3.0, 4.0], np.float32)
    c = weft.compile(lambda t: t * p, x)
    np.testing.assert_array_equal(c(x), x * np.array([1.0, 2.0], np.float32))
    p.data = np.array([-1.0, 0.5], np.float32)
    np.testing.assert_array_equal(c(x), x * np.array([-1.0, 0.5], np.float32))
