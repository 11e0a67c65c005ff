// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// count_include_pad = false: the gradient is divided by the real elements
// under each window (a constant), then summed back over the windows by a
// convolution with ones, one channel per (n, c). Stride 1: no weft.pad.
// CHECK-LABEL: func.func @avg_pool2d_padded
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} -> tensor<1x2x5x5xf32>
// CHECK:         %[[COUNT:.*]] = weft.constant dense<{{\[}}[4.000000e+00, 6.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, {{.*}}]]> : tensor<5x5xf32>
// CHECK:         %[[SHARE:.*]] = weft.div %[[G]], %[[COUNT]] : tensor<1x2x5x5xf32>, tensor<5x5xf32>
// CHECK:         %[[FLAT:.*]] = weft.reshape %[[SHARE]] : tensor<1x2x5x5xf32> -> tensor<2x1x5x5xf32>
// CHECK:         %[[ONES:.*]] = weft.constant dense<1.000000e+00> : tensor<1x1x3x3xf32>
// CHECK:         %[[SUM:.*]] = weft.conv2d %[[FLAT]], %[[ONES]] {padding = array<i64: 1, 1, 1, 1>} : tensor<2x1x5x5xf32>, tensor<1x1x3x3xf32> -> tensor<2x1x5x5xf32>
// CHECK:         %[[DX:.*]] = weft.reshape %[[SUM]] : tensor<2x1x5x5xf32> -> tensor<1x2x5x5xf32>
// CHECK-NOT:     weft.pad
// CHECK:         return %{{.*}}, %[[DX]]
func.func @avg_pool2d_padded(%x: tensor<1x2x5x5xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>} : tensor<1x2x5x5xf32> -> tensor<1x2x5x5xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x2x5x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Unpadded windows all count KH * KW: a scalar divisor. Stride 2 dilates
// the gradient by interior padding.
// CHECK-LABEL: func.func @avg_pool2d_strided
// CHECK:         %[[FOUR:.*]] = weft.constant dense<4.000000e+00> : tensor<f32>
// CHECK:         %[[SHARE:.*]] = weft.div %{{.*}}, %[[FOUR]] : tensor<2x3x2x2xf32>, tensor<f32>
// CHECK:         %[[D:.*]] = weft.pad %[[SHARE]] low = [0, 0, 0, 0] high = [0, 0, 0, 0] interior = [0, 0, 1, 1] : tensor<2x3x2x2xf32> -> tensor<2x3x3x3xf32>
// CHECK:         %[[FLAT:.*]] = weft.reshape %[[D]] : tensor<2x3x3x3xf32> -> tensor<6x1x3x3xf32>
// CHECK:         %[[SUM:.*]] = weft.conv2d %[[FLAT]], %{{.*}} {padding = array<i64: 1, 1, 1, 1>} : tensor<6x1x3x3xf32>, tensor<1x1x2x2xf32> -> tensor<6x1x4x4xf32>
// CHECK:         weft.reshape %[[SUM]] : tensor<6x1x4x4xf32> -> tensor<2x3x4x4xf32>
func.func @avg_pool2d_strided(%x: tensor<2x3x4x4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<2x3x4x4xf32> -> tensor<2x3x2x2xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<2x3x2x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Max: the input padded with NaN (never equal to a maximum), one strided
// slice per window offset compared with the result; the first offset that
// matches takes the gradient (a running "not yet taken" mask), which is
// put back with interior padding; the sum loses the pool's padding.
// CHECK-LABEL: func.func @max_pool2d
// CHECK-SAME:    (%[[X:.*]]: tensor<1x1x4x4xf32>)
// CHECK:         %[[Y:.*]] = weft.max_pool2d %[[X]]
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} -> tensor<1x1x2x2xf32>
// CHECK:         %[[XP:.*]] = weft.pad %[[X]] low = [0, 0, 1, 1] high = [0, 0, 0, 0] value = 0x7FF8000000000000 : tensor<1x1x4x4xf32> -> tensor<1x1x5x5xf32>
// CHECK:         %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[AT0:.*]] = weft.slice %[[XP]] starts = [0, 0, 0, 0] limits = [1, 1, 3, 3] strides = [1, 1, 2, 2] : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xf32>
// CHECK:         %[[WIN0:.*]] = weft.compare eq, %[[AT0]], %[[Y]] : tensor<1x1x2x2xf32>
// CHECK:         %[[FREE0:.*]] = weft.sub %[[ONE]], %[[WIN0]] : tensor<f32>, tensor<1x1x2x2xf32>
// CHECK:         %[[G0:.*]] = weft.mul %[[WIN0]], %[[G]]
// CHECK:         %[[P0:.*]] = weft.pad %[[G0]] low = [0, 0, 0, 0] high = [0, 0, 2, 2] interior = [0, 0, 1, 1] : tensor<1x1x2x2xf32> -> tensor<1x1x5x5xf32>
// CHECK:         %[[AT1:.*]] = weft.slice %[[XP]] starts = [0, 0, 0, 1]
// CHECK:         %[[EQ1:.*]] = weft.compare eq, %[[AT1]], %[[Y]]
// CHECK:         %[[WIN1:.*]] = weft.mul %[[EQ1]], %[[FREE0]]
// CHECK:         %[[FREE1:.*]] = weft.sub %[[FREE0]], %[[WIN1]]
// CHECK:         %[[G1:.*]] = weft.mul %[[WIN1]], %[[G]]
// CHECK:         %[[P1:.*]] = weft.pad %[[G1]] low = [0, 0, 0, 1] high = [0, 0, 2, 1] interior = [0, 0, 1, 1]
// CHECK:         weft.add %[[P0]], %[[P1]]
// CHECK-COUNT-2: weft.compare eq
// CHECK:         %[[SUM:.*]] = weft.add
// CHECK:         %[[DX:.*]] = weft.slice %[[SUM]] starts = [0, 0, 1, 1] limits = [1, 1, 5, 5] : tensor<1x1x5x5xf32> -> tensor<1x1x4x4xf32>
// CHECK:         return %{{.*}}, %[[DX]]
func.func @max_pool2d(%x: tensor<1x1x4x4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x1x2x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An argument the loss does not read gets zeros and no backward ops.
// CHECK-LABEL: func.func @negative_pool_unused
// CHECK:         weft.max_pool2d
// CHECK-NEXT:    weft.reduce_sum
// CHECK-NEXT:    %[[Z:.*]] = weft.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK-NEXT:    return %{{.*}}, %[[Z]]
func.func @negative_pool_unused(%x: tensor<1x1x4x4xf32>, %u: tensor<3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 1>} {
  %y = weft.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x1x2x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}
