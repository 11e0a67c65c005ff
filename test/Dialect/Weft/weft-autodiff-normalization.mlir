// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// dx = g y - y sum(g y) along the axis, from the softmax's own result.
// CHECK-LABEL: func.func @softmax
// CHECK:         %[[Y:.*]] = weft.softmax %{{.*}} axis = 1 : tensor<4x8xf32>
// CHECK:         %[[G:.*]] = weft.add
// CHECK-NEXT:    %[[GY:.*]] = weft.mul %[[G]], %[[Y]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[DOT:.*]] = weft.reduce_sum %[[GY]] axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[YD:.*]] = weft.mul %[[Y]], %[[DOT]] : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK-NEXT:    %[[DX:.*]] = weft.sub %[[GY]], %[[YD]] : tensor<4x8xf32>
// CHECK-NEXT:    return %{{.*}}, %[[DX]]
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.softmax %x axis = 1 : tensor<4x8xf32>
  %w = weft.mul %y, %y : tensor<4x8xf32>
  %l = weft.reduce_sum %w axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Over the two trailing dims: mean and biased variance recomputed from the
// input with the op's epsilon; scale and bias gradients sum over the
// leading dim.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3x4xf32>, %[[S:.*]]: tensor<3x4xf32>, %{{.*}}: tensor<3x4xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} -> tensor<2x3x4xf32>
// CHECK:         %[[MEAN:.*]] = weft.reduce_mean %[[X]] axes = [1, 2] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
// CHECK:         %[[XC:.*]] = weft.sub %[[X]], %[[MEAN]]
// CHECK:         %[[SQ:.*]] = weft.mul %[[XC]], %[[XC]]
// CHECK:         %[[VAR:.*]] = weft.reduce_mean %[[SQ]] axes = [1, 2] keep_dims
// CHECK:         %[[EPS:.*]] = weft.constant dense<1.000000e-03> : tensor<f32>
// CHECK:         %[[VE:.*]] = weft.add %[[VAR]], %[[EPS]]
// CHECK:         %[[RSTD:.*]] = weft.rsqrt %[[VE]] : tensor<2x1x1xf32>
// CHECK:         %[[XHAT:.*]] = weft.mul %[[XC]], %[[RSTD]]
// CHECK:         %[[DXHAT:.*]] = weft.mul %[[G]], %[[S]] : tensor<2x3x4xf32>, tensor<3x4xf32>
// CHECK:         %[[DX:.*]] = weft.mul %[[RSTD]], %{{.*}} : tensor<2x1x1xf32>, tensor<2x3x4xf32>
// CHECK:         %[[GX:.*]] = weft.mul %[[G]], %[[XHAT]]
// CHECK:         %[[DS:.*]] = weft.reduce_sum %[[GX]] axes = [0] keep_dims : tensor<2x3x4xf32> -> tensor<1x3x4xf32>
// CHECK:         %[[DSR:.*]] = weft.reshape %[[DS]] : tensor<1x3x4xf32> -> tensor<3x4xf32>
// CHECK:         %[[DB:.*]] = weft.reduce_sum %[[G]] axes = [0] keep_dims
// CHECK:         %[[DBR:.*]] = weft.reshape %[[DB]]
// CHECK:         return %{{.*}}, %[[DX]], %[[DSR]], %[[DBR]]
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1, 2>} {
  %y = weft.layer_norm %x, %g, %b {epsilon = 1.0e-03 : f32} : tensor<2x3x4xf32>, tensor<3x4xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// bf16: the statistics and gradients are computed in f32 (as the lowering
// normalizes) and rounded back; rms_norm has no centering.
// CHECK-LABEL: func.func @rms_norm_bf16
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xbf16>, %[[S:.*]]: tensor<8xbf16>)
// CHECK:         %[[XF:.*]] = weft.cast %[[X]] : tensor<4x8xbf16> -> tensor<4x8xf32>
// CHECK-NOT:     weft.sub %[[XF]]
// CHECK:         %[[SQ:.*]] = weft.mul %[[XF]], %[[XF]] : tensor<4x8xf32>
// CHECK:         weft.reduce_mean %[[SQ]] axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK:         weft.rsqrt
// CHECK:         %[[DX:.*]] = weft.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xbf16>
// CHECK:         %[[DS:.*]] = weft.cast %{{.*}} : tensor<8xf32> -> tensor<8xbf16>
// CHECK:         return %{{.*}}, %[[DX]], %[[DS]] : tensor<bf16>, tensor<4x8xbf16>, tensor<8xbf16>
func.func @rms_norm_bf16(%x: tensor<4x8xbf16>, %g: tensor<8xbf16>) -> tensor<bf16> attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.rms_norm %x, %g : tensor<4x8xbf16>, tensor<8xbf16>
  %l = weft.reduce_sum %y axes = [0, 1] : tensor<4x8xbf16> -> tensor<bf16>
  return %l : tensor<bf16>
}

// -----

// Only the scale gradient: the input-gradient chain is gone.
// CHECK-LABEL: func.func @negative_layer_norm_scale_only
// CHECK:         %[[XHAT:.*]] = weft.mul %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK-NEXT:    %[[GX:.*]] = weft.mul %{{.*}}, %[[XHAT]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[DS:.*]] = weft.reduce_sum %[[GX]] axes = [0] keep_dims
// CHECK-NEXT:    %[[DSR:.*]] = weft.reshape %[[DS]] : tensor<1x8xf32> -> tensor<8xf32>
// CHECK-NEXT:    return %{{.*}}, %[[DSR]]
func.func @negative_layer_norm_scale_only(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 1>} {
  %y = weft.layer_norm %x, %g, %b : tensor<4x8xf32>, tensor<8xf32>
  %l = weft.reduce_sum %y axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}
