"""Helpers for comm.test: inputs, a numpy reference, and a no-hang check.

  comm.py inputs N X.npy          write x: f32[N, 8]
  comm.py check N X.npy DIR       compare DIR/*.npy with numpy
  comm.py fails-fast SECONDS CMD  run CMD; it must fail (non-zero) within
                                  SECONDS, never hang; prints its output
"""
import subprocess
import sys

import numpy as np


def reference(x):
    n = x.shape[0]
    c = 8 // n
    return {
        "sum": x.sum(axis=0),
        "gath": x,
        "rs": x.sum(axis=0),  # rank d holds chunk d: together, the sum
        "a2a": x.reshape(n, n, c).transpose(1, 0, 2).reshape(n, 8),
        "bc": x[n - 1],
        "ring": np.roll(x, 1, axis=0),
    }


def main():
    mode = sys.argv[1]
    if mode == "inputs":
        n = int(sys.argv[2])
        rng = np.random.default_rng(n)
        x = (rng.integers(-16, 17, size=(n, 8)) / 8).astype(np.float32)
        np.save(sys.argv[3], x)
    elif mode == "check":
        x = np.load(sys.argv[3])
        for name, want in reference(x).items():
            got = np.load(f"{sys.argv[4]}/{name}.npy")
            if got.shape != want.shape or not np.array_equal(got, want):
                print(f"{name}: got {got}, want {want}")
                sys.exit(1)
            print(f"{name}: ok")
    elif mode == "fails-fast":
        try:
            p = subprocess.run(sys.argv[3:], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT,
                               timeout=float(sys.argv[2]))
        except subprocess.TimeoutExpired:
            print("HUNG")
            sys.exit(1)
        sys.stdout.write(p.stdout.decode(errors="replace"))
        print(f"exit code {'non-zero' if p.returncode else 'zero'}")
        sys.exit(0 if p.returncode else 1)


main()
