"""Inputs and the numpy reference of Inputs/train_sgd.mlir (train.test).

  train_sgd.py inputs PREFIX                writes PREFIX.x.npy, PREFIX.y.npy
  train_sgd.py check PREFIX OUT DIR [FIRST] checks the `step i: loss = V`
      lines of OUT and the state DIR/*.npy after them against PyTorch-style
      SGD with momentum in float64, starting from the initial parameters
      (steps 1..) or, with FIRST, after FIRST - 1 reference steps.
"""
import re
import sys

import numpy as np

LR, MOMENTUM = 0.1, 0.5
W0 = np.array([0.5, -1.0, 2.0, 0.25])
RTOL = 1e-5


def loss_and_grad(w, x, y):
    d = x * w - y
    return np.mean(d * d), (2 * d * x).sum(axis=0) / d.size


def close(name, got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape, (name, got.shape, want.shape)
    err = np.abs(got - want).max()
    assert np.allclose(got, want, rtol=RTOL, atol=RTOL * np.abs(want).max()), (
        name, got, want, err)


def main():
    mode, prefix = sys.argv[1], sys.argv[2]
    if mode == "inputs":
        rng = np.random.default_rng(7)
        np.save(prefix + ".x.npy", rng.standard_normal((8, 4)).astype(np.float32))
        np.save(prefix + ".y.npy", rng.standard_normal((8, 4)).astype(np.float32))
        return
    out, state = sys.argv[3], sys.argv[4]
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    x = np.load(prefix + ".x.npy").astype(np.float64)
    y = np.load(prefix + ".y.npy").astype(np.float64)
    printed = [(int(s), float(v)) for s, v in
               re.findall(r"^step (\d+): loss = (\S+)$", open(out).read(), re.M)]
    assert printed and [s for s, _ in printed] == list(range(1, len(printed) + 1)), printed

    w, buf = W0.copy(), np.zeros(4)
    for step in range(1, first + len(printed)):
        loss, g = loss_and_grad(w, x, y)
        if step >= first:
            close("loss of step %d" % step, printed[step - first][1], loss)
        buf = MOMENTUM * buf + g
        w = w - LR * buf
    close("w", np.load(state + "/w.npy"), w)
    close("w.momentum_buffer", np.load(state + "/w.momentum_buffer.npy"), buf)
    close("optimizer.lr", np.load(state + "/optimizer.lr.npy"), LR)
    assert np.load(state + "/w.npy").dtype == np.float32


if __name__ == "__main__":
    main()
