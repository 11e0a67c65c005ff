"""Writes digits_like.npz, the small fixed data set of test_training.py.

Deterministic (numpy's PCG64 with a fixed seed; run it again and the file
is byte-identical for a given numpy version), so the file is committed and
the tests need no download and no scikit-learn:

* `digits_x` uint8 [512, 64], `digits_y` uint8 [512]: "digits-like" 8x8
  images with intensities 0..16 as in scikit-learn's digits. Each of the 10
  classes has a smooth random prototype (a few Gaussian strokes); a sample
  is its class prototype, shifted by up to one pixel, plus pixel noise,
  rounded and clipped to 0..16. Learnable, not separable by a single pixel.
* `tokens_x` int32 [512, 8], `tokens_y` uint8 [512]: token sequences over a
  vocabulary of 16 for a sequence classifier. Token t is in group t // 4;
  the label is the group with the most tokens in the sequence (sequences
  with a tie are drawn again), so the label is a function of the tokens.

    python3 python/tests/data/make_training_data.py
"""
import pathlib

import numpy as np

N = 512
CLASSES, SIDE = 10, 8
VOCAB, SEQ, GROUPS = 16, 8, 4


def prototypes(rng):
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    protos = np.zeros((CLASSES, SIDE, SIDE))
    for c in range(CLASSES):
        for _ in range(3):  # three strokes per class
            cy, cx = rng.uniform(1, SIDE - 2, 2)
            sy, sx = rng.uniform(0.6, 2.0, 2)
            protos[c] += np.exp(-((yy - cy) / sy) ** 2 - ((xx - cx) / sx) ** 2)
        protos[c] *= 16 / protos[c].max()
    return protos


def digits(rng):
    protos = prototypes(rng)
    y = np.arange(N) % CLASSES
    rng.shuffle(y)
    x = np.empty((N, SIDE, SIDE))
    for i, c in enumerate(y):
        dy, dx = rng.integers(-1, 2, 2)
        img = np.roll(protos[c], (dy, dx), axis=(0, 1))
        x[i] = img + rng.normal(0, 3.0, (SIDE, SIDE))
    x = np.clip(np.rint(x), 0, 16).astype(np.uint8)
    return x.reshape(N, SIDE * SIDE), y.astype(np.uint8)


def tokens(rng):
    xs, ys = [], []
    while len(xs) < N:
        c = len(xs) % GROUPS
        # Half the tokens from the class's group, half from anywhere.
        seq = np.concatenate([rng.integers(0, 4, SEQ // 2) + 4 * c,
                              rng.integers(0, VOCAB, SEQ - SEQ // 2)])
        rng.shuffle(seq)
        counts = np.bincount(seq // 4, minlength=GROUPS)
        if (counts == counts.max()).sum() > 1:
            continue
        xs.append(seq)
        ys.append(int(counts.argmax()))
    order = rng.permutation(N)
    return (np.array(xs, np.int32)[order], np.array(ys, np.uint8)[order])


def main():
    rng = np.random.default_rng(20240601)
    dx, dy = digits(rng)
    tx, ty = tokens(rng)
    out = pathlib.Path(__file__).with_name("digits_like.npz")
    np.savez_compressed(out, digits_x=dx, digits_y=dy, tokens_x=tx,
                        tokens_y=ty)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
