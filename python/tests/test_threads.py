"""One compiled model called from several threads at once, and compiling
from several threads at once, each against numpy."""
import threading

import numpy as np

import weft
import weft.functional as F
from conftest import assert_close


def _mlp(x, w, b):
    return F.relu(x @ w + b)


def _ref(x, w, b):
    return np.maximum(x.astype(np.float64) @ w + b, 0)


def test_concurrent_calls_get_their_own_results():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((64, 64)).astype(np.float32)
    b = rng.standard_normal(64).astype(np.float32)
    xs = [rng.standard_normal((32, 64)).astype(np.float32) for _ in range(4)]
    compiled = weft.compile(_mlp, xs[0], w, b)
    errors = []

    def worker(x):
        try:
            for _ in range(50):
                assert_close(compiled(x, w, b), _ref(x, w, b))
        except Exception as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(x,)) for x in xs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


def test_concurrent_compiles():
    rng = np.random.default_rng(1)
    results, errors = {}, []

    def worker(i):
        try:
            n = 8 + i
            x = rng.standard_normal((4, n)).astype(np.float32)
            w = rng.standard_normal((n, n)).astype(np.float32)
            b = rng.standard_normal(n).astype(np.float32)
            results[i] = (weft.compile(_mlp, x, w, b)(x, w, b), _ref(x, w, b))
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    for got, ref in results.values():
        assert_close(got, ref)
