// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// dA = G B^T, dB = A^T G: the flags of the new matmuls do the transposes.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME:    (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3x5xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1xf32> -> tensor<4x5xf32>
// CHECK-NEXT:    %[[DA:.*]] = weft.matmul %[[G]], %[[B]] {transpose_rhs} : tensor<4x5xf32>, tensor<3x5xf32> -> tensor<4x3xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.matmul %[[A]], %[[G]] {transpose_lhs} : tensor<4x3xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
// CHECK-NOT:     weft.transpose
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1>} {
  %c = weft.matmul %a, %b : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// C = A^T B: dA = B G^T, dB = A G.
// CHECK-LABEL: func.func @matmul_transpose_lhs
// CHECK-SAME:    (%[[A:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<3x5xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[DA:.*]] = weft.matmul %[[B]], %[[G]] {transpose_rhs} : tensor<3x5xf32>, tensor<4x5xf32> -> tensor<3x4xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.matmul %[[A]], %[[G]] : tensor<3x4xf32>, tensor<4x5xf32> -> tensor<3x5xf32>
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul_transpose_lhs(%a: tensor<3x4xf32>, %b: tensor<3x5xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1>} {
  %c = weft.matmul %a, %b {transpose_lhs} : tensor<3x4xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// C = A B^T: dA = G B, dB = G^T A.
// CHECK-LABEL: func.func @matmul_transpose_rhs
// CHECK-SAME:    (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<5x3xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[DA:.*]] = weft.matmul %[[G]], %[[B]] : tensor<4x5xf32>, tensor<5x3xf32> -> tensor<4x3xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.matmul %[[G]], %[[A]] {transpose_lhs} : tensor<4x5xf32>, tensor<4x3xf32> -> tensor<5x3xf32>
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @matmul_transpose_rhs(%a: tensor<4x3xf32>, %b: tensor<5x3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1>} {
  %c = weft.matmul %a, %b {transpose_rhs} : tensor<4x3xf32>, tensor<5x3xf32> -> tensor<4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// C = A^T B^T: dA = B^T G^T, dB = G^T A^T, batched.
// CHECK-LABEL: func.func @batch_matmul_transpose_both
// CHECK-SAME:    (%[[A:.*]]: tensor<2x3x4xf32>, %[[B:.*]]: tensor<2x5x3xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[DA:.*]] = weft.batch_matmul %[[B]], %[[G]] {transpose_lhs, transpose_rhs} : tensor<2x5x3xf32>, tensor<2x4x5xf32> -> tensor<2x3x4xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.batch_matmul %[[G]], %[[A]] {transpose_lhs, transpose_rhs} : tensor<2x4x5xf32>, tensor<2x3x4xf32> -> tensor<2x5x3xf32>
// CHECK:         return %{{.*}}, %[[DA]], %[[DB]]
func.func @batch_matmul_transpose_both(%a: tensor<2x3x4xf32>, %b: tensor<2x5x3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1>} {
  %c = weft.batch_matmul %a, %b {transpose_lhs, transpose_rhs} : tensor<2x3x4xf32>, tensor<2x5x3xf32> -> tensor<2x4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1, 2] : tensor<2x4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Only the gradient that is asked for is kept.
// CHECK-LABEL: func.func @negative_matmul_wrt_rhs_only
// CHECK-SAME:    (%[[A:.*]]: tensor<4x3xf32>, %{{.*}}: tensor<3x5xf32>)
// CHECK-SAME:    -> (tensor<f32>, tensor<3x5xf32> {weft.grad_of = 1 : i64, weft.name = "grad.arg1"})
// CHECK:         weft.matmul
// CHECK:         %[[DB:.*]] = weft.matmul %[[A]], %{{.*}} {transpose_lhs}
// CHECK-NOT:     weft.matmul
// CHECK:         return %{{.*}}, %[[DB]]
func.func @negative_matmul_wrt_rhs_only(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 1>} {
  %c = weft.matmul %a, %b : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An argument the loss does not read gets zeros and no backward ops.
// CHECK-LABEL: func.func @negative_matmul_unused
// CHECK:         weft.matmul
// CHECK-NEXT:    weft.reduce_sum
// CHECK-NEXT:    %[[Z:.*]] = weft.constant dense<0.000000e+00> : tensor<3x5xf32>
// CHECK-NEXT:    return %{{.*}}, %[[Z]]
func.func @negative_matmul_unused(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>, %u: tensor<3x5xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 2>} {
  %c = weft.matmul %a, %b : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}
