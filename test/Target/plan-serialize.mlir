// plan-serialize writes the artifact of a fully lowered module; weft-run
// runs it and numpy checks the result.
// RUN: weft-opt %s --weft-cpu-pipeline --plan-serialize=output=%t.weft -o /dev/null
// RUN: weft-run %t.weft --list | FileCheck %s --check-prefix=LIST
// RUN: %PYTHON -c "import numpy as np; np.save('%t.x.npy', np.arange(-4, 4, dtype=np.float32))"
// RUN: rm -rf %t.out && weft-run %t.weft --input x=%t.x.npy --output-dir %t.out
// RUN: %PYTHON -c "import numpy as np; x = np.arange(-4, 4, dtype=np.float32); assert np.array_equal(np.load('%t.out/y.npy'), np.maximum(x, 0) * 2)"
// LIST: entry main: 1 program, 1 commands
// LIST: input  x : f32[8]
// LIST: output y : f32[8]

// negative: an unwritable output is an error, not a crash.
// RUN: not weft-opt %s --weft-cpu-pipeline --plan-serialize=output=/nonexistent-dir/a.weft -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOWRITE
// NOWRITE: error: plan-serialize: cannot write '/nonexistent-dir/a.weft'
// negative: a module that was never planned has nothing to serialize.
// RUN: not weft-opt %s --plan-serialize=output=%t.none -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOPLAN
// NOPLAN: error: no plan.program to serialize
func.func @main(%x: tensor<8xf32> {weft.name = "x"}) -> (tensor<8xf32> {weft.name = "y"}) {
  %r = weft.relu %x : tensor<8xf32>
  %c = weft.constant dense<2.0> : tensor<8xf32>
  %y = weft.mul %r, %c : tensor<8xf32>
  return %y : tensor<8xf32>
}
