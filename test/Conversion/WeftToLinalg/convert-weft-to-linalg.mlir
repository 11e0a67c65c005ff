// RUN: weft-opt %s --split-input-file --convert-weft-to-linalg | FileCheck %s
// RUN: weft-opt %S/../../Dialect/Weft/ops.mlir --convert-weft-to-linalg | FileCheck %s --check-prefix=ALL
// ALL-LABEL: func.func @elementwise
// ALL-NOT: weft.

// Numpy broadcasting is an indexing map: the bias reads only d1.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_bias
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK:           arith.addf
// CHECK-NOT:     weft.
func.func @add_bias(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = weft.add %x, %b : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A size-1 dim against a larger one reads index 0.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @broadcast_unit_dim
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[COL]], #{{.*}}]
func.func @broadcast_unit_dim(%x: tensor<4x8xi32>, %c: tensor<4x1xi32>) -> tensor<4x8xi32> {
  %0 = weft.mul %x, %c : tensor<4x8xi32>, tensor<4x1xi32>
  return %0 : tensor<4x8xi32>
}

// -----

// Matmul: zero-filled accumulator, (m, n, k) loops, k reduced.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_transposed_rhs
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[Z]] : f32)
// CHECK:         linalg.generic {indexing_maps = [#[[A]], #[[BT]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      outs(%[[F]] : tensor<8x4xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @matmul_transposed_rhs(%a: tensor<8x16xf32>, %w: tensor<4x16xf32>) -> tensor<8x4xf32> {
  %0 = weft.matmul %a, %w {transpose_rhs} : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Softmax: max-reduce, exp(x - max), sum-reduce, divide.
// CHECK-LABEL: func.func @softmax
// CHECK:         arith.constant 0xFF800000 : f32
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maximumf
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK:           arith.subf
// CHECK:           math.exp
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK:           arith.divf
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = weft.softmax %x axis = 1 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Reshape goes through a 1-D view; transpose is linalg.transpose.
// CHECK-LABEL: func.func @layout
// CHECK:         %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<4x8xf32> into tensor<32xf32>
// CHECK:         tensor.expand_shape %[[F]] {{\[}}[0, 1, 2]] output_shape [2, 4, 4] : tensor<32xf32> into tensor<2x4x4xf32>
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<4x8xf32>) outs(%{{.*}} : tensor<8x4xf32>) permutation = [1, 0]
// CHECK:         tensor.extract_slice %{{.*}}[0, 2] [4, 2] [1, 2] : tensor<4x8xf32> to tensor<4x2xf32>
func.func @layout(%x: tensor<4x8xf32>) -> (tensor<2x4x4xf32>, tensor<8x4xf32>, tensor<4x2xf32>) {
  %0 = weft.reshape %x : tensor<4x8xf32> -> tensor<2x4x4xf32>
  %1 = weft.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  %2 = weft.slice %x starts = [0, 2] limits = [4, 6] strides = [1, 2] : tensor<4x8xf32> -> tensor<4x2xf32>
  return %0, %1, %2 : tensor<2x4x4xf32>, tensor<8x4xf32>, tensor<4x2xf32>
}

// -----

// Embedding: a gather inside the body, indices clamped into the table.
// CHECK-LABEL: func.func @embedding
// CHECK:         linalg.generic
// CHECK:           arith.index_cast
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:           linalg.index 2 : index
// CHECK:           tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<100x16xf32>
func.func @embedding(%t: tensor<100x16xf32>, %ids: tensor<2x8xi64>) -> tensor<2x8x16xf32> {
  %0 = weft.embedding %t, %ids : tensor<100x16xf32>, tensor<2x8xi64> -> tensor<2x8x16xf32>
  return %0 : tensor<2x8x16xf32>
}

// -----

// Convolution with padding: tensor.pad, then a 7-loop generic.
// CHECK-LABEL: func.func @conv
// CHECK:         tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = weft.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Every op of the dialect lowers (the round-trip file holds one of each).
// CHECK-LABEL: func.func @all_lower
// CHECK-NOT:     weft.
func.func @all_lower(%q: tensor<2x4x16x8xf32>, %l: tensor<8x10xf32>, %y: tensor<8xi32>) -> (tensor<2x4x16x8xf32>, tensor<f32>) {
  %0 = weft.scaled_dot_product_attention %q, %q, %q {is_causal} : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x8xf32>
  %1 = weft.cross_entropy %l, %y : tensor<8x10xf32>, tensor<8xi32> -> tensor<f32>
  return %0, %1 : tensor<2x4x16x8xf32>, tensor<f32>
}
