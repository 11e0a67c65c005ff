"""Errors: at the user's line, with both shapes; nothing crashes."""
import numpy as np
import pytest

import weft
import weft.functional as F

f32 = np.float32


def test_shape_mismatch_points_at_user_line():
    def bad(x, y):
        return x @ y  # the line the error must name

    line = bad.__code__.co_firstlineno + 1
    with pytest.raises(weft.ShapeError) as e:
        weft.compile(bad, np.zeros((4, 8), f32), np.zeros((4, 8), f32))
    msg = str(e.value)
    assert f"test_errors.py:{line}:" in msg
    assert "[4, 8]" in msg and "K=8" in msg and "K=4" in msg


def test_broadcast_mismatch_names_both_shapes():
    with pytest.raises(weft.ShapeError, match=r"shapes \[4, 8\] and \[3\] "
                                              r"are not broadcast-compatible"):
        weft.compile(lambda x, y: x + y, np.zeros((4, 8), f32),
                     np.zeros(3, f32))


def test_bad_reshape_and_index():
    with pytest.raises(weft.ShapeError, match=r"cannot reshape \(4, 8\)"):
        weft.compile(lambda x: x.reshape(5, -1), np.zeros((4, 8), f32))
    with pytest.raises(IndexError, match="index 4 is out of range"):
        weft.compile(lambda x: x[4], np.zeros((4, 8), f32))


def test_call_time_checks():
    c = weft.compile(lambda x: F.relu(x), np.zeros((2, 3), f32))
    with pytest.raises(ValueError, match=r"input 'x' expects float32\[2, 3\], "
                                         r"got float32\[3, 2\]"):
        c(np.zeros((3, 2), f32))
    with pytest.raises(ValueError, match=r"expects float32\[2, 3\], got "
                                         r"int64\[2, 3\]"):
        c(np.zeros((2, 3), np.int64))
    with pytest.raises(TypeError, match="expected 1 inputs"):
        c()


@pytest.mark.parametrize("option", ["memory_budget", "quantize"])
def test_future_options_name_themselves(option):
    with pytest.raises(NotImplementedError, match=f"option '{option}'"):
        weft.compile(lambda x: x + 1.0, np.zeros(2, f32), **{option: 1})


def test_unknown_option_and_target():
    with pytest.raises(TypeError, match="unknown option 'speed'"):
        weft.compile(lambda x: x, np.zeros(2, f32), speed=3)
    with pytest.raises(NotImplementedError, match="target='cuda'"):
        weft.compile(lambda x: x, np.zeros(2, f32), target="cuda")


def test_unsupported_dtype_and_outside_trace():
    with pytest.raises(TypeError, match="uint16 are not supported"):
        weft.compile(lambda x: x, np.zeros(2, np.uint16))
    with pytest.raises(RuntimeError, match="need an active trace"):
        F.relu(np.zeros(2, f32))


def test_non_tensor_result():
    with pytest.raises(TypeError, match="must return weft Tensors"):
        weft.compile(lambda x: 3, np.zeros(2, f32))


def test_mlir_stages():
    c = weft.compile(lambda x: F.softmax(x) * 2.0, np.zeros((2, 4), f32))
    assert "weft.softmax" in c.mlir("weft")
    assert "linalg.generic" in c.mlir("linalg")
    assert "plan.program" in c.mlir("plan")
    assert "llvm.func" in c.mlir("llvm")
    with pytest.raises(ValueError, match="unknown stage 'asm'"):
        c.mlir("asm")
