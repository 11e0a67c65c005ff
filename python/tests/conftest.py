import math

import numpy as np
import pytest

_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu_ref(x):
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


def assert_close(got, ref, rtol=1e-4):
    """fp32 results agree with the float64 numpy reference to `rtol`,
    relative to the reference's largest magnitude."""
    ref = np.asarray(ref)
    assert got.shape == ref.shape, (got.shape, ref.shape)
    scale = max(float(np.abs(ref).max()), 1e-30)
    err = float(np.abs(got.astype(np.float64) - ref).max()) / scale
    assert err <= rtol, f"relative error {err:.2e} > {rtol:.0e}"


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
