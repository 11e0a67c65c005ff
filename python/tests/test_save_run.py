"""A saved artifact runs under weft-run with the same result."""
import os
import pathlib
import subprocess

import numpy as np

import weft
from conftest import assert_close

BIN = pathlib.Path(os.environ.get("WEFT_BIN", pathlib.Path(__file__).parents[2]
                                  / "build/bin"))


def test_save_and_weft_run(tmp_path, rng):
    weft.manual_seed(5)
    mlp = weft.nn.MLP(16, 32)
    x = rng.standard_normal((4, 16)).astype(np.float32)
    c = weft.compile(mlp, x)
    want = c(x)
    c.save(tmp_path / "mlp.weft")
    cmd = [str(BIN / "weft-run"), str(tmp_path / "mlp.weft"), "--output-dir",
           str(tmp_path / "out")]
    feeds = {"x": x}  # parameters are stored in the artifact as state
    for name, arr in feeds.items():
        np.save(tmp_path / f"{name}.npy", arr)
        cmd += ["--input", f"{name}={tmp_path / name}.npy"]
    listing = subprocess.run([str(BIN / "weft-run"), str(tmp_path / "mlp.weft"),
                              "--list"], check=True, capture_output=True,
                             text=True).stdout
    assert "input  x : f32[4, 16]" in listing
    assert "state  fc1.weight : f32[32, 16]" in listing
    subprocess.run(cmd, check=True, capture_output=True)
    got = np.load(tmp_path / "out/output0.npy")
    np.testing.assert_array_equal(got, want)
    assert_close(got, want.astype(np.float64))


def test_weft_run_replaces_state(tmp_path, rng):
    """`weft-run --state` overrides a parameter stored in the artifact; the
    result matches numpy with the new weights."""
    weft.manual_seed(6)
    lin = weft.nn.Linear(8, 4)
    x = rng.standard_normal((2, 8)).astype(np.float32)
    c = weft.compile(lin, x)
    c.save(tmp_path / "lin.weft")
    w = rng.standard_normal((4, 8)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "w.npy", w)
    subprocess.run([str(BIN / "weft-run"), str(tmp_path / "lin.weft"),
                    "--input", f"x={tmp_path / 'x.npy'}",
                    "--state", f"weight={tmp_path / 'w.npy'}",
                    "--output-dir", str(tmp_path / "out")],
                   check=True, capture_output=True)
    got = np.load(tmp_path / "out/output0.npy")
    bias = lin.state_dict()["bias"].astype(np.float64)
    assert_close(got, x.astype(np.float64) @ w.T.astype(np.float64) + bias)
    bad = subprocess.run([str(BIN / "weft-run"), str(tmp_path / "lin.weft"),
                          "--input", f"x={tmp_path / 'x.npy'}",
                          "--state", f"nope={tmp_path / 'w.npy'}"],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "has no state 'nope'" in bad.stderr
