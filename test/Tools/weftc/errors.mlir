// weftc: clear errors, exit code 1.
// RUN: not weftc %s --split-input-file -o %t.weft 2>&1 | FileCheck %s
// RUN: not weftc %s --target=cuda -o %t.weft 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not weftc %s --emit=bogus 2>&1 | FileCheck %s --check-prefix=EMIT
// RUN: not weftc %S/missing.mlir -o %t.weft 2>&1 | FileCheck %s --check-prefix=MISSING
// TARGET: weftc: error: --target=cuda is not supported yet (supported: cpu)
// EMIT: Cannot find option named 'bogus'
// MISSING: weftc: error: cannot open input file '{{.*}}missing.mlir': No such file or directory
// RUN: not weftc %S/Inputs/unsupported-op.mlir -o %t.weft 2>&1 | FileCheck %s --check-prefix=LOC
// LOC: unsupported-op.mlir:3:8: error: weftc: only weft ops are supported in an entry function, got 'arith.mulf'
// LOC-NOT: see current operation

// CHECK: error: weftc: no entry function: mark one with the 'weft.entry' attribute or name it @main
func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// CHECK: error: weftc: argument #0 of @main has type 'tensor<?xf32>'; entries take statically shaped f32/f16/bf16/i8/i32/i64 tensors
func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: weftc: only weft ops are supported in an entry function, got 'arith.addf'
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: custom op 'weft.relu' invalid kind of type specified: expected builtin.tensor, but found 'f32'
  %0 = weft.relu %x : f32
  return %0 : tensor<4xf32>
}
