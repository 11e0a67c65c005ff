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
