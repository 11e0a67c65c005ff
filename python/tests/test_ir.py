"""The traced IR of a small module, checked with FileCheck."""
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

import weft
import weft.functional as F

FILECHECK = shutil.which("FileCheck") or "/usr/lib/llvm-22/bin/FileCheck"


class Tiny(weft.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = weft.nn.Linear(8, 4, seed=0)

    def forward(self, x):
        return F.softmax(self.fc(x))  # TRACE-LINE


CHECKS = """
CHECK-LABEL: func.func @Tiny(
CHECK-SAME:    {weft.name = "x"}
CHECK-SAME:    weft.name = "fc.weight", weft.state}
CHECK-SAME:    weft.name = "fc.bias", weft.state}
CHECK-SAME:    attributes {weft.entry}
CHECK:         %[[MM:.*]] = weft.matmul %arg0, %arg1 {transpose_rhs} : tensor<2x8xf32>, tensor<4x8xf32> -> tensor<2x4xf32> loc(#[[L:loc[0-9]*]])
CHECK:         %[[B:.*]] = weft.add %[[MM]], %arg2 : tensor<2x4xf32>, tensor<4xf32>
CHECK:         weft.softmax %[[B]] axis = 1 : tensor<2x4xf32> loc(#[[L2:loc[0-9]*]])
CHECK:       #[[L2]] = loc("{file}":{line}:1)
"""


@pytest.mark.skipif(not os.path.exists(FILECHECK), reason="FileCheck missing")
def test_traced_ir(tmp_path):
    c = weft.compile(Tiny(), np.zeros((2, 8), np.float32))
    src = pathlib.Path(__file__).read_text().splitlines()
    line = next(i + 1 for i, l in enumerate(src) if l.endswith("# TRACE-LINE"))
    checks = tmp_path / "checks.txt"
    checks.write_text(CHECKS.replace("{file}", __file__)
                      .replace("{line}", str(line)))
    p = subprocess.run([FILECHECK, str(checks)], input=c.mlir("weft"),
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
