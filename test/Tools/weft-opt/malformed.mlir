// Malformed input: a diagnostic with file:line:col and a non-zero exit.
// RUN: not weft-opt %s --split-input-file 2>&1 | FileCheck %s
// RUN: not weft-opt %S/no-such-file.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not weft-opt %s --no-such-flag 2>&1 | FileCheck %s --check-prefix=FLAG

// MISSING: cannot open input file '{{.*}}no-such-file.mlir': No such file or directory
// FLAG: Unknown command line argument '--no-such-flag'

// CHECK: malformed.mlir:[[# @LINE + 2]]:19: error: expected ','
func.func @missing_comma(%a: tensor<4xf32>) {
  %0 = weft.add %a %a : tensor<4xf32>
  return
}

// -----

// CHECK: malformed.mlir:[[# @LINE + 2]]:8: error: custom op 'weft.frobnicate' is unknown
func.func @unknown_op(%a: tensor<4xf32>) {
  %0 = weft.frobnicate %a : tensor<4xf32>
  return
}

// -----

// CHECK: malformed.mlir:[[# @LINE + 2]]:8: error: 'weft.matmul' op contracting dims differ
func.func @bad_shapes(%a: tensor<4x8xf32>) {
  %0 = weft.matmul %a, %a : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

// CHECK: malformed.mlir:[[# @LINE + 2]]:8: error: 'weft.add' op operand #0 must be a ranked tensor, got 'i32'
func.func @scalar_operand(%a: i32) {
  %0 = weft.add %a, %a : i32
  return
}

// -----

// CHECK: malformed.mlir:[[# @LINE + 2]]:35: error: expected '>' in tensor type
func.func @truncated(%a: tensor<4xf32>) {
  %0 = weft.relu %a : tensor<4xf32
