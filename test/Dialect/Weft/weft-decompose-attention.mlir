// RUN: weft-opt %s --split-input-file --weft-decompose-attention | FileCheck %s

// CHECK-LABEL: func.func @attention
// CHECK-SAME:    (%[[Q:.*]]: tensor<2x4x16x8xf32>, %[[K:.*]]: tensor<2x4x32x8xf32>, %[[V:.*]]: tensor<2x4x32x12xf32>)
// CHECK-DAG:     %[[C:.*]] = weft.constant dense<0.353553385> : tensor<f32>
// CHECK-DAG:     %[[S:.*]] = weft.batch_matmul %[[Q]], %[[K]] {transpose_rhs} : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x32xf32>
// CHECK:         %[[M:.*]] = weft.mul %[[S]], %[[C]] : tensor<2x4x16x32xf32>, tensor<f32>
// CHECK:         %[[P:.*]] = weft.softmax %[[M]] axis = 3 : tensor<2x4x16x32xf32>
// CHECK:         weft.batch_matmul %[[P]], %[[V]] : tensor<2x4x16x32xf32>, tensor<2x4x32x12xf32> -> tensor<2x4x16x12xf32>
// CHECK-NOT:     weft.scaled_dot_product_attention
func.func @attention(%q: tensor<2x4x16x8xf32>, %k: tensor<2x4x32x8xf32>, %v: tensor<2x4x32x12xf32>) -> tensor<2x4x16x12xf32> {
  %0 = weft.scaled_dot_product_attention %q, %k, %v : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x12xf32> -> tensor<2x4x16x12xf32>
  return %0 : tensor<2x4x16x12xf32>
}

// -----

// Rank 2, causal, an explicit scale and a mask: plain matmuls, the mask is
// added, then the 0 / -inf causal constant.
// CHECK-LABEL: func.func @causal_masked
// CHECK-DAG:     %[[CAUSAL:.*]] = weft.constant dense<{{\[}}[0.000000e+00, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<3x3xf32>
// CHECK-DAG:     %[[HALF:.*]] = weft.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         %[[S:.*]] = weft.matmul %{{.*}}, %{{.*}} {transpose_rhs} : tensor<3x4xf32>, tensor<3x4xf32> -> tensor<3x3xf32>
// CHECK:         %[[SC:.*]] = weft.mul %[[S]], %[[HALF]]
// CHECK:         %[[MK:.*]] = weft.add %[[SC]], %{{.*}} : tensor<3x3xf32>{{$}}
// CHECK:         weft.add %[[MK]], %[[CAUSAL]]
// CHECK:         weft.softmax %{{.*}} axis = 1
// CHECK:         weft.matmul
func.func @causal_masked(%q: tensor<3x4xf32>, %m: tensor<3x3xf32>) -> tensor<3x4xf32> {
  %0 = weft.scaled_dot_product_attention %q, %q, %q mask %m {is_causal, scale = 0.5 : f32} : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x3xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// negative: other ops are left alone.
// CHECK-LABEL: func.func @negative_no_attention
// CHECK-NEXT:    weft.softmax
// CHECK-NEXT:    return
func.func @negative_no_attention(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = weft.softmax %x axis = 1 : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}
