// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// Input gradient: the result gradient correlated with the reversed filter
// (F and C swapped), padded by dil * (K - 1). Filter gradient: the input
// (channels as batch) convolved with the gradient (batch as channels).
// CHECK-LABEL: func.func @conv2d
// CHECK-SAME:    (%[[X:.*]]: tensor<1x2x5x5xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} -> tensor<1x3x3x3xf32>
// CHECK-NOT:     weft.pad
// CHECK:         %[[WR:.*]] = weft.reverse %[[W]] axes = [2, 3] : tensor<3x2x3x3xf32>
// CHECK:         %[[WT:.*]] = weft.transpose %[[WR]] perm = [1, 0, 2, 3] : tensor<3x2x3x3xf32> -> tensor<2x3x3x3xf32>
// CHECK:         %[[DX:.*]] = weft.conv2d %[[G]], %[[WT]] {padding = array<i64: 2, 2, 2, 2>} : tensor<1x3x3x3xf32>, tensor<2x3x3x3xf32> -> tensor<1x2x5x5xf32>
// CHECK-DAG:     %[[GT:.*]] = weft.transpose %[[G]] perm = [1, 0, 2, 3] : tensor<1x3x3x3xf32> -> tensor<3x1x3x3xf32>
// CHECK-DAG:     %[[XT:.*]] = weft.transpose %[[X]] perm = [1, 0, 2, 3] : tensor<1x2x5x5xf32> -> tensor<2x1x5x5xf32>
// CHECK:         %[[DWT:.*]] = weft.conv2d %[[XT]], %[[GT]] : tensor<2x1x5x5xf32>, tensor<3x1x3x3xf32> -> tensor<2x3x3x3xf32>
// CHECK:         %[[DW:.*]] = weft.transpose %[[DWT]] perm = [1, 0, 2, 3] : tensor<2x3x3x3xf32> -> tensor<3x2x3x3xf32>
// CHECK:         return %{{.*}}, %[[DX]], %[[DW]]
func.func @conv2d(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.conv2d %x, %w : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x3x3xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x3x3x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Stride 2: the gradient is dilated by interior padding; the last row and
// column of the padded input (never read) get zeros through the extra high
// padding (2 - 1 + 1 = 2), and the filter gradient drops them from its
// padding (bottom/right 1 -> 0) with stride and dilation exchanged. The
// bias gradient sums over N, OH, OW.
// CHECK-LABEL: func.func @conv2d_strided_padded_bias
// CHECK-SAME:    (%[[X:.*]]: tensor<1x2x6x6xf32>, %[[W:.*]]: tensor<4x2x3x3xf32>, %{{.*}}: tensor<4xf32>)
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} -> tensor<1x4x3x3xf32>
// CHECK:         %[[GD:.*]] = weft.pad %[[G]] low = [0, 0, 0, 0] high = [0, 0, 0, 0] interior = [0, 0, 1, 1] : tensor<1x4x3x3xf32> -> tensor<1x4x5x5xf32>
// CHECK:         %[[WR:.*]] = weft.reverse %[[W]] axes = [2, 3]
// CHECK:         %[[WT:.*]] = weft.transpose %[[WR]]
// CHECK:         %[[DX:.*]] = weft.conv2d %[[GD]], %[[WT]] {padding = array<i64: 1, 1, 2, 2>} : tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32> -> tensor<1x2x6x6xf32>
// CHECK:         %[[DWT:.*]] = weft.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>} : tensor<2x1x6x6xf32>, tensor<4x1x3x3xf32> -> tensor<2x4x3x3xf32>
// CHECK:         %[[DW:.*]] = weft.transpose %[[DWT]]
// CHECK:         %[[DB:.*]] = weft.reduce_sum %[[G]] axes = [0, 2, 3] : tensor<1x4x3x3xf32> -> tensor<4xf32>
// CHECK:         return %{{.*}}, %[[DX]], %[[DW]], %[[DB]]
func.func @conv2d_strided_padded_bias(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1, 2>} {
  %y = weft.conv2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32> -> tensor<1x4x3x3xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x4x3x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Two groups: the filter is regrouped to [G * Cg, Fg, KH, KW] for the
// input gradient, the input to [Cg, G * N, H, W] for the filter gradient,
// both convs keep groups = 2; dilation 2 becomes the filter gradient's
// stride.
// CHECK-LABEL: func.func @conv2d_groups_dilated
// CHECK-SAME:    (%[[X:.*]]: tensor<2x4x7x7xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK:         %[[WR:.*]] = weft.reverse %[[W]] axes = [2, 3] : tensor<6x2x3x3xf32>
// CHECK:         %[[W5:.*]] = weft.reshape %[[WR]] : tensor<6x2x3x3xf32> -> tensor<2x3x2x3x3xf32>
// CHECK:         %[[WS:.*]] = weft.transpose %[[W5]] perm = [0, 2, 1, 3, 4] : tensor<2x3x2x3x3xf32> -> tensor<2x2x3x3x3xf32>
// CHECK:         %[[WG:.*]] = weft.reshape %[[WS]] : tensor<2x2x3x3x3xf32> -> tensor<4x3x3x3xf32>
// CHECK:         %[[DX:.*]] = weft.conv2d %{{.*}}, %[[WG]] {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 4, 4, 4, 4>} : tensor<2x6x3x3xf32>, tensor<4x3x3x3xf32> -> tensor<2x4x7x7xf32>
// CHECK:         %[[X5:.*]] = weft.reshape %[[X]] : tensor<2x4x7x7xf32> -> tensor<2x2x2x7x7xf32>
// CHECK:         %[[XS:.*]] = weft.transpose %[[X5]] perm = [2, 1, 0, 3, 4]
// CHECK:         %[[XG:.*]] = weft.reshape %[[XS]] : tensor<2x2x2x7x7xf32> -> tensor<2x4x7x7xf32>
// CHECK:         %[[DWT:.*]] = weft.conv2d %[[XG]], %{{.*}} {groups = 2 : i64, strides = array<i64: 2, 2>} : tensor<2x4x7x7xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x3x3xf32>
// CHECK:         %[[DW:.*]] = weft.transpose %[[DWT]] perm = [1, 0, 2, 3] : tensor<2x6x3x3xf32> -> tensor<6x2x3x3xf32>
// CHECK:         return %{{.*}}, %[[DX]], %[[DW]]
func.func @conv2d_groups_dilated(%x: tensor<2x4x7x7xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.conv2d %x, %w {dilations = array<i64: 2, 2>, groups = 2} : tensor<2x4x7x7xf32>, tensor<6x2x3x3xf32> -> tensor<2x6x3x3xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<2x6x3x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Padding 3 > dil * (K - 1) = 1: the correlation runs unpadded and its
// result is cropped by 3 - 1 = 2 on each side.
// CHECK-LABEL: func.func @conv2d_padding_exceeds_span
// CHECK:         %[[C:.*]] = weft.conv2d %{{.*}}, %{{.*}} : tensor<1x1x9x9xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x8x8xf32>
// CHECK-NEXT:    %[[DX:.*]] = weft.slice %[[C]] starts = [0, 0, 2, 2] limits = [1, 1, 6, 6] : tensor<1x1x8x8xf32> -> tensor<1x1x4x4xf32>
// CHECK-NEXT:    return %{{.*}}, %[[DX]]
func.func @conv2d_padding_exceeds_span(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.conv2d %x, %w {padding = array<i64: 3, 3, 3, 3>} : tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x9x9xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x1x9x9xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Only the filter gradient: the input-gradient ops are gone, and a 1x1
// filter needs no reverse.
// CHECK-LABEL: func.func @negative_conv2d_filter_only
// CHECK-NOT:     weft.reverse
// CHECK-NOT:     weft.pad
// CHECK:         weft.conv2d
// CHECK:         %[[DWT:.*]] = weft.conv2d %{{.*}}, %{{.*}} : tensor<2x1x5x5xf32>, tensor<3x1x5x5xf32> -> tensor<2x3x1x1xf32>
// CHECK-NOT:     weft.conv2d
// CHECK:         return
func.func @negative_conv2d_filter_only(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 1>} {
  %y = weft.conv2d %x, %w : tensor<1x2x5x5xf32>, tensor<3x2x1x1xf32> -> tensor<1x3x5x5xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2, 3] : tensor<1x3x5x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}
