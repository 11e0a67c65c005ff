// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// dlogits = (softmax(logits) - one_hot(labels)) * g / N; labels get none.
// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME:    (%[[Z:.*]]: tensor<8x10xf32>, %[[L:.*]]: tensor<8xi64>)
// CHECK-SAME:    -> (tensor<f32>, tensor<8x10xf32> {weft.grad_of = 0 : i64, weft.name = "grad.arg0"})
// CHECK:         %[[G:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[P:.*]] = weft.softmax %[[Z]] axis = 1 : tensor<8x10xf32>
// CHECK:         %[[HOT:.*]] = weft.one_hot %[[L]] : tensor<8xi64> -> tensor<8x10xf32>
// CHECK:         %[[INV:.*]] = weft.constant dense<1.250000e-01> : tensor<f32>
// CHECK:         %[[GN:.*]] = weft.mul %[[G]], %[[INV]] : tensor<f32>
// CHECK:         %[[D:.*]] = weft.sub %[[P]], %[[HOT]] : tensor<8x10xf32>
// CHECK:         %[[DZ:.*]] = weft.mul %[[D]], %[[GN]] : tensor<8x10xf32>, tensor<f32>
// CHECK:         return %{{.*}}, %[[DZ]]
func.func @cross_entropy(%z: tensor<8x10xf32>, %labels: tensor<8xi64>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %l = weft.cross_entropy %z, %labels : tensor<8x10xf32>, tensor<8xi64> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// P recomputed with the default scale 1/sqrt(8); dV = P^T dO, dP = dO V^T,
// dS = P (dP - rowsum(dP P)), dQ = dS K scale, dK = dS^T Q scale.
// CHECK-LABEL: func.func @attention
// CHECK-SAME:    (%[[Q:.*]]: tensor<2x4x8xf32>, %[[K:.*]]: tensor<2x6x8xf32>, %[[V:.*]]: tensor<2x6x3xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} -> tensor<2x4x3xf32>
// CHECK:         %[[S:.*]] = weft.batch_matmul %[[Q]], %[[K]] {transpose_rhs} : tensor<2x4x8xf32>, tensor<2x6x8xf32> -> tensor<2x4x6xf32>
// CHECK:         %[[SCALE:.*]] = weft.constant dense<0.353553385> : tensor<f32>
// CHECK:         %[[SS:.*]] = weft.mul %[[S]], %[[SCALE]]
// CHECK:         %[[P:.*]] = weft.softmax %[[SS]] axis = 2 : tensor<2x4x6xf32>
// CHECK:         %[[DV:.*]] = weft.batch_matmul %[[P]], %[[G]] {transpose_lhs} : tensor<2x4x6xf32>, tensor<2x4x3xf32> -> tensor<2x6x3xf32>
// CHECK:         %[[DP:.*]] = weft.batch_matmul %[[G]], %[[V]] {transpose_rhs} : tensor<2x4x3xf32>, tensor<2x6x3xf32> -> tensor<2x4x6xf32>
// CHECK:         %[[DPP:.*]] = weft.mul %[[DP]], %[[P]]
// CHECK:         %[[ROW:.*]] = weft.reduce_sum %[[DPP]] axes = [2] keep_dims : tensor<2x4x6xf32> -> tensor<2x4x1xf32>
// CHECK:         %[[C:.*]] = weft.sub %[[DP]], %[[ROW]]
// CHECK:         %[[DS:.*]] = weft.mul %[[P]], %[[C]]
// CHECK:         %[[DQ0:.*]] = weft.batch_matmul %[[DS]], %[[K]] : tensor<2x4x6xf32>, tensor<2x6x8xf32> -> tensor<2x4x8xf32>
// CHECK:         %[[DQ:.*]] = weft.mul %[[DQ0]], %{{.*}}
// CHECK:         %[[DK0:.*]] = weft.batch_matmul %[[DS]], %[[Q]] {transpose_lhs} : tensor<2x4x6xf32>, tensor<2x4x8xf32> -> tensor<2x6x8xf32>
// CHECK:         %[[DK:.*]] = weft.mul %[[DK0]], %{{.*}}
// CHECK:         return %{{.*}}, %[[DQ]], %[[DK]], %[[DV]]
func.func @attention(%q: tensor<2x4x8xf32>, %k: tensor<2x6x8xf32>, %v: tensor<2x6x3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1, 2>} {
  %o = weft.scaled_dot_product_attention %q, %k, %v : tensor<2x4x8xf32>, tensor<2x6x8xf32>, tensor<2x6x3xf32> -> tensor<2x4x3xf32>
  %l = weft.reduce_sum %o axes = [0, 1, 2] : tensor<2x4x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// f16 with a mask and is_causal: computed in f32 like the lowering; the
// mask, then the 0 / -inf causal constant, is added to the scaled scores;
// the mask gradient is dS summed over the broadcast rows.
// CHECK-LABEL: func.func @attention_causal_masked_f16
// CHECK-SAME:    (%[[Q:.*]]: tensor<3x4xf16>, %[[M:.*]]: tensor<1x3xf16>)
// CHECK:         %[[S:.*]] = weft.matmul %{{.*}}, %{{.*}} {transpose_rhs} : tensor<3x4xf32>, tensor<3x4xf32> -> tensor<3x3xf32>
// CHECK:         %[[HALF:.*]] = weft.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         %[[SS:.*]] = weft.mul %[[S]], %[[HALF]]
// CHECK:         %[[MF:.*]] = weft.cast %[[M]] : tensor<1x3xf16> -> tensor<1x3xf32>
// CHECK:         %[[SM:.*]] = weft.add %[[SS]], %[[MF]] : tensor<3x3xf32>, tensor<1x3xf32>
// CHECK:         %[[CAUSAL:.*]] = weft.constant dense<{{\[}}[0.000000e+00, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<3x3xf32>
// CHECK:         %[[SC:.*]] = weft.add %[[SM]], %[[CAUSAL]]
// CHECK:         %[[P:.*]] = weft.softmax %[[SC]] axis = 1 : tensor<3x3xf32>
// CHECK:         %[[DS:.*]] = weft.mul %[[P]], %{{.*}} : tensor<3x3xf32>
// CHECK:         %[[DM:.*]] = weft.reduce_sum %[[DS]] axes = [0] keep_dims : tensor<3x3xf32> -> tensor<1x3xf32>
// CHECK:         %[[DMH:.*]] = weft.cast %[[DM]] : tensor<1x3xf32> -> tensor<1x3xf16>
// CHECK:         return %{{.*}}, %{{.*}}, %[[DMH]] : tensor<f16>, tensor<3x4xf16>, tensor<1x3xf16>
func.func @attention_causal_masked_f16(%q: tensor<3x4xf16>, %m: tensor<1x3xf16>) -> tensor<f16> attributes {weft.autodiff = array<i64: 0, 1>} {
  %o = weft.scaled_dot_product_attention %q, %q, %q mask %m {is_causal, scale = 5.0e-01 : f32} : tensor<3x4xf16>, tensor<3x4xf16>, tensor<3x4xf16>, tensor<1x3xf16> -> tensor<3x4xf16>
  %l = weft.reduce_sum %o axes = [0, 1] : tensor<3x4xf16> -> tensor<f16>
  return %l : tensor<f16>
}

// -----

// Only dV: the dS chain is gone.
// CHECK-LABEL: func.func @negative_attention_value_only
// CHECK:         %[[P:.*]] = weft.softmax
// CHECK-NEXT:    %[[DV:.*]] = weft.matmul %[[P]], %{{.*}} {transpose_lhs} : tensor<4x6xf32>, tensor<4x3xf32> -> tensor<6x3xf32>
// CHECK-NEXT:    return %{{.*}}, %[[DV]]
func.func @negative_attention_value_only(%q: tensor<4x8xf32>, %k: tensor<6x8xf32>, %v: tensor<6x3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 2>} {
  %o = weft.scaled_dot_product_attention %q, %k, %v : tensor<4x8xf32>, tensor<6x8xf32>, tensor<6x3xf32> -> tensor<4x3xf32>
  %l = weft.reduce_sum %o axes = [0, 1] : tensor<4x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}
