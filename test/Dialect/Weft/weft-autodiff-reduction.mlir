// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// Gradient rules of the reductions: the result gradient is reshaped to the
// input rank (size 1 on the reduced axes, unless keep_dims already has it)
// and broadcast back; a mean divides by the count; a max shares it among
// the elements equal to the maximum. An exp after the reduction makes the
// gradient reaching it something other than the seed: %[[GR]].

// CHECK-LABEL: func.func @reduce_sum(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4xf32>
// CHECK-NEXT:    %[[R:.*]] = weft.reshape %[[GR]] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.broadcast_to %[[R]] : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @reduce_sum(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %s = weft.reduce_sum %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %e = weft.exp %s : tensor<4xf32>
  %l = weft.reduce_sum %e axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// keep_dims: the gradient has the input rank already, no reshape.
// CHECK-LABEL: func.func @reduce_sum_keep_dims(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4x1xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.broadcast_to %[[GR]] : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @reduce_sum_keep_dims(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %s = weft.reduce_sum %x axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
  %e = weft.exp %s : tensor<4x1xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<4x1xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A mean over everything as the loss: the seed broadcast, times 1/64.
// CHECK-LABEL: func.func @reduce_mean(
// CHECK:         %[[L:.*]] = weft.reduce_mean
// CHECK-NEXT:    %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[R:.*]] = weft.reshape %[[ONE]] : tensor<f32> -> tensor<1x1x1xf32>
// CHECK-NEXT:    %[[B:.*]] = weft.broadcast_to %[[R]] : tensor<1x1x1xf32> -> tensor<2x4x8xf32>
// CHECK-NEXT:    %[[C:.*]] = weft.constant dense<1.562500e-02> : tensor<f32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[B]], %[[C]] : tensor<2x4x8xf32>, tensor<f32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<2x4x8xf32>
func.func @reduce_mean(%x: tensor<2x4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %l = weft.reduce_mean %x axes = [0, 1, 2] : tensor<2x4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Over axes 0 and 2 of 2x4x8 with keep_dims: 1/16.
// CHECK-LABEL: func.func @reduce_mean_keep_dims(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<1x4x1xf32>
// CHECK-NEXT:    %[[B:.*]] = weft.broadcast_to %[[GR]] : tensor<1x4x1xf32> -> tensor<2x4x8xf32>
// CHECK-NEXT:    %[[C:.*]] = weft.constant dense<6.250000e-02> : tensor<f32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[B]], %[[C]] : tensor<2x4x8xf32>, tensor<f32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<2x4x8xf32>
func.func @reduce_mean_keep_dims(%x: tensor<2x4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %m = weft.reduce_mean %x axes = [0, 2] keep_dims : tensor<2x4x8xf32> -> tensor<1x4x1xf32>
  %e = weft.exp %m : tensor<1x4x1xf32>
  %l = weft.reduce_sum %e axes = [0, 1, 2] : tensor<1x4x1xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// max: mask = (x == broadcast max), gradient = mask * g / (ties per row).
// CHECK-LABEL: func.func @reduce_max(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x8xf32>)
// CHECK:         %[[M:.*]] = weft.reduce_max %[[X]]
// CHECK:         %[[E:.*]] = weft.exp %[[M]]
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4xf32>
// CHECK-NEXT:    %[[MR:.*]] = weft.reshape %[[M]] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[MB:.*]] = weft.broadcast_to %[[MR]] : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    %[[MASK:.*]] = weft.compare eq, %[[X]], %[[MB]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[TIES:.*]] = weft.reduce_sum %[[MASK]] axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[GRR:.*]] = weft.reshape %[[GR]] : tensor<4xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[GB:.*]] = weft.broadcast_to %[[GRR]] : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    %[[SHARE:.*]] = weft.div %[[GB]], %[[TIES]] : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[MASK]], %[[SHARE]] : tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @reduce_max(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %m = weft.reduce_max %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %e = weft.exp %m : tensor<4xf32>
  %l = weft.reduce_sum %e axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @reduce_max_keep_dims(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4x8xf32>)
// CHECK:         %[[M:.*]] = weft.reduce_max %[[X]]
// CHECK:         %[[E:.*]] = weft.exp %[[M]]
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4x1xf32>
// CHECK-NEXT:    %[[MB:.*]] = weft.broadcast_to %[[M]] : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    %[[MASK:.*]] = weft.compare eq, %[[X]], %[[MB]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[TIES:.*]] = weft.reduce_sum %[[MASK]] axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[GB:.*]] = weft.broadcast_to %[[GR]] : tensor<4x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    %[[SHARE:.*]] = weft.div %[[GB]], %[[TIES]] : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[MASK]], %[[SHARE]] : tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @reduce_max_keep_dims(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %m = weft.reduce_max %x axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
  %e = weft.exp %m : tensor<4x1xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<4x1xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Reducing a size-1 axis without keep_dims: the reshape restores it, and
// the broadcast to the same shape is left out.
// CHECK-LABEL: func.func @reduce_sum_unit_axis(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK-NEXT:    %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1xf32> -> tensor<4xf32>
// CHECK:         %[[R:.*]] = weft.reshape %{{.*}} : tensor<4xf32> -> tensor<4x1xf32>
// CHECK-NOT:     weft.broadcast_to
// CHECK:         return %[[L]], %[[R]] : tensor<f32>, tensor<4x1xf32>
func.func @reduce_sum_unit_axis(%x: tensor<4x1xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %s = weft.reduce_sum %x axes = [1] : tensor<4x1xf32> -> tensor<4xf32>
  %e = weft.exp %s : tensor<4xf32>
  %l = weft.reduce_sum %e axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A reduction of an argument that is not differentiated is not
// differentiated: its mean is not scaled back.
// CHECK-LABEL: func.func @negative_inactive_reduction(
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.arg0"}) {
// CHECK:         %[[M:.*]] = weft.reduce_mean
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[M]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @negative_inactive_reduction(%x: tensor<4xf32>, %k: tensor<3x4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %m = weft.reduce_mean %k axes = [0] : tensor<3x4xf32> -> tensor<4xf32>
  %y = weft.mul %x, %m : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
