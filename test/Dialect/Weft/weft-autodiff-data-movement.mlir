// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// Gradient rules of the data movement ops: each moves the result gradient
// back to where the operand's elements came from. Most cases put an exp
// after the op so that the gradient reaching it, %[[GR]], is not the seed.

// The table's gradient scatters the rows back (embedding_grad); the integer
// ids get none.
// CHECK-LABEL: func.func @embedding(
// CHECK-SAME:      %[[T:[^:]+]]: tensor<10x4xf32>, %[[IDS:[^:]+]]: tensor<2x3xi64>)
// CHECK-SAME:      -> (tensor<f32>, tensor<10x4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.arg0"}) {
// CHECK:         %[[E:.*]] = weft.embedding %[[T]], %[[IDS]]
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1x1xf32> -> tensor<2x3x4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.embedding_grad %[[G]], %[[IDS]] : tensor<2x3x4xf32>, tensor<2x3xi64> -> tensor<10x4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<10x4xf32>
func.func @embedding(%t: tensor<10x4xf32>, %ids: tensor<2x3xi64>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %e = weft.embedding %t, %ids : tensor<10x4xf32>, tensor<2x3xi64> -> tensor<2x3x4xf32>
  %l = weft.reduce_sum %e axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// And the other way round: embedding_grad's gradient gathers the rows.
// CHECK-LABEL: func.func @embedding_grad(
// CHECK-SAME:      %[[GIN:[^:]+]]: tensor<2x3x4xf32>, %[[IDS:[^:]+]]: tensor<2x3xi64>)
// CHECK:         %[[S:.*]] = weft.embedding_grad %[[GIN]], %[[IDS]]
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[S]]
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1xf32> -> tensor<10x4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.embedding %[[G]], %[[IDS]] : tensor<10x4xf32>, tensor<2x3xi64> -> tensor<2x3x4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<2x3x4xf32>
func.func @embedding_grad(%g: tensor<2x3x4xf32>, %ids: tensor<2x3xi64>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %s = weft.embedding_grad %g, %ids : tensor<2x3x4xf32>, tensor<2x3xi64> -> tensor<10x4xf32>
  %l = weft.reduce_sum %s axes = [0, 1] : tensor<10x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// one_hot's operand is integer labels: the mask is a constant factor.
// CHECK-LABEL: func.func @one_hot(
// CHECK:         %[[O:.*]] = weft.one_hot
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[O]] : tensor<8x3xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<8x3xf32>
func.func @one_hot(%x: tensor<8x3xf32>, %labels: tensor<8xi32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %o = weft.one_hot %labels : tensor<8xi32> -> tensor<8x3xf32>
  %p = weft.mul %x, %o : tensor<8x3xf32>
  %l = weft.reduce_sum %p axes = [0, 1] : tensor<8x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The inverse of perm [1, 2, 0] is [2, 0, 1].
// CHECK-LABEL: func.func @transpose(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<3x4x2xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.transpose %[[GR]] perm = [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<2x3x4xf32>
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %t = weft.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %e = weft.exp %t : tensor<3x4x2xf32>
  %l = weft.reduce_sum %e axes = [0, 1, 2] : tensor<3x4x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @reshape(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<2x16xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.reshape %[[GR]] : tensor<2x16xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @reshape(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %r = weft.reshape %x : tensor<4x8xf32> -> tensor<2x16xf32>
  %e = weft.exp %r : tensor<2x16xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<2x16xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// broadcast_to sums over the new leading dim and the stretched size-1 dim.
// CHECK-LABEL: func.func @broadcast_to(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1x1xf32> -> tensor<3x4x8xf32>
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<3x4x8xf32>
// CHECK-NEXT:    %[[S:.*]] = weft.reduce_sum %[[GR]] axes = [0, 2] keep_dims : tensor<3x4x8xf32> -> tensor<1x4x1xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.reshape %[[S]] : tensor<1x4x1xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x1xf32>
func.func @broadcast_to(%x: tensor<4x1xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %b = weft.broadcast_to %x : tensor<4x1xf32> -> tensor<3x4x8xf32>
  %e = weft.exp %b : tensor<3x4x8xf32>
  %l = weft.reduce_sum %e axes = [0, 1, 2] : tensor<3x4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Each concatenated operand's gradient is its slice of the result
// gradient; the middle operand is not differentiated and gets no slice.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME:      -> (tensor<f32>, tensor<1x4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.arg0"}, tensor<3x4xf32> {weft.grad_of = 2 : i64, weft.name = "grad.arg2"}) {
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<6x4xf32>
// CHECK-NEXT:    %[[DX:.*]] = weft.slice %[[GR]] starts = [0, 0] limits = [1, 4] : tensor<6x4xf32> -> tensor<1x4xf32>
// CHECK-NEXT:    %[[DZ:.*]] = weft.slice %[[GR]] starts = [3, 0] limits = [6, 4] : tensor<6x4xf32> -> tensor<3x4xf32>
// CHECK-NEXT:    return %[[L]], %[[DX]], %[[DZ]] : tensor<f32>, tensor<1x4xf32>, tensor<3x4xf32>
func.func @concat(%x: tensor<1x4xf32>, %y: tensor<2x4xf32>, %z: tensor<3x4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 2>} {
  %c = weft.concat %x, %y, %z axis = 0 : tensor<1x4xf32>, tensor<2x4xf32>, tensor<3x4xf32> -> tensor<6x4xf32>
  %e = weft.exp %c : tensor<6x4xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<6x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Along an inner axis.
// CHECK-LABEL: func.func @concat_inner_axis(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4x10xf32>
// CHECK-NEXT:    %[[DX:.*]] = weft.slice %[[GR]] starts = [0, 0] limits = [4, 8] : tensor<4x10xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    %[[DY:.*]] = weft.slice %[[GR]] starts = [0, 8] limits = [4, 10] : tensor<4x10xf32> -> tensor<4x2xf32>
// CHECK-NEXT:    return %[[L]], %[[DX]], %[[DY]]
func.func @concat_inner_axis(%x: tensor<4x8xf32>, %y: tensor<4x2xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %c = weft.concat %x, %y axis = 1 : tensor<4x8xf32>, tensor<4x2xf32> -> tensor<4x10xf32>
  %e = weft.exp %c : tensor<4x10xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<4x10xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An empty operand has an empty (zero) gradient: there is no empty slice.
// CHECK-LABEL: func.func @concat_empty_operand(
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[DX:.*]] = weft.constant dense<0.000000e+00> : tensor<4x0xf32>
// CHECK-NEXT:    %[[DY:.*]] = weft.slice %[[G]] starts = [0, 0] limits = [4, 2] : tensor<4x2xf32> -> tensor<4x2xf32>
// CHECK-NEXT:    return %[[L]], %[[DX]], %[[DY]]
func.func @concat_empty_operand(%x: tensor<4x0xf32>, %y: tensor<4x2xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %c = weft.concat %x, %y axis = 1 : tensor<4x0xf32>, tensor<4x2xf32> -> tensor<4x2xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A slice's gradient is padded back with zeros around it.
// CHECK-LABEL: func.func @slice(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4x4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.pad %[[GR]] low = [0, 2] high = [0, 2] : tensor<4x4xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @slice(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %s = weft.slice %x starts = [0, 2] limits = [4, 6] : tensor<4x8xf32> -> tensor<4x4xf32>
  %e = weft.exp %s : tensor<4x4xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<4x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Strides become interior padding: rows 1, 3 and columns 0, 3, 6 of 4x8.
// CHECK-LABEL: func.func @slice_strided(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<2x3xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.pad %[[GR]] low = [1, 0] high = [0, 1] interior = [1, 2] : tensor<2x3xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @slice_strided(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %s = weft.slice %x starts = [1, 0] limits = [4, 8] strides = [2, 3] : tensor<4x8xf32> -> tensor<2x3xf32>
  %e = weft.exp %s : tensor<2x3xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A pad's gradient is the slice where the input sits (the pad value is a
// constant: no gradient).
// CHECK-LABEL: func.func @pad(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4x10xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.slice %[[GR]] starts = [0, 1] limits = [4, 9] : tensor<4x10xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @pad(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %p = weft.pad %x low = [0, 1] high = [0, 1] : tensor<4x8xf32> -> tensor<4x10xf32>
  %e = weft.exp %p : tensor<4x10xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<4x10xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Interior padding becomes a strided slice: the input's elements sit at
// rows 1, 3, 5, 7 and columns 0, 3, ..., 21.
// CHECK-LABEL: func.func @pad_interior(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<8x24xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.slice %[[GR]] starts = [1, 0] limits = [8, 22] strides = [2, 3] : tensor<8x24xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @pad_interior(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %p = weft.pad %x low = [1, 0] high = [0, 2] interior = [1, 2] value = -1.5 : tensor<4x8xf32> -> tensor<8x24xf32>
  %e = weft.exp %p : tensor<8x24xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<8x24xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Padding an empty tensor: its gradient is an empty constant.
// CHECK-LABEL: func.func @pad_empty_input(
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK-NEXT:    %[[D:.*]] = weft.constant dense<0.000000e+00> : tensor<0x3xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @pad_empty_input(%x: tensor<0x3xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %p = weft.pad %x low = [1, 0] high = [1, 0] : tensor<0x3xf32> -> tensor<2x3xf32>
  %l = weft.reduce_sum %p axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A reverse is its own inverse.
// CHECK-LABEL: func.func @reverse(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GR:.*]] = weft.mul %[[G]], %[[E]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.reverse %[[GR]] axes = [1, 0] : tensor<4x8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4x8xf32>
func.func @reverse(%x: tensor<4x8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %r = weft.reverse %x axes = [1, 0] : tensor<4x8xf32>
  %e = weft.exp %r : tensor<4x8xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A chain of data movement ops: each rule in reverse order.
// CHECK-LABEL: func.func @chain(
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1xf32> -> tensor<3x2xf32>
// CHECK-NEXT:    %[[P:.*]] = weft.pad %[[G]] low = [1, 0] high = [0, 0] : tensor<3x2xf32> -> tensor<4x2xf32>
// CHECK-NEXT:    %[[T:.*]] = weft.transpose %[[P]] perm = [1, 0] : tensor<4x2xf32> -> tensor<2x4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.reshape %[[T]] : tensor<2x4xf32> -> tensor<8xf32>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<8xf32>
func.func @chain(%x: tensor<8xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %r = weft.reshape %x : tensor<8xf32> -> tensor<2x4xf32>
  %t = weft.transpose %r perm = [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
  %s = weft.slice %t starts = [1, 0] limits = [4, 2] : tensor<4x2xf32> -> tensor<3x2xf32>
  %l = weft.reduce_sum %s axes = [0, 1] : tensor<3x2xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Integer ids feeding the only differentiated path: the ids computation
// (a reverse of the ids) is not differentiated, and no integer value gets
// a gradient.
// CHECK-LABEL: func.func @negative_integer_path(
// CHECK-SAME:      -> (tensor<f32>, tensor<10x4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.arg0"}) {
// CHECK:         %[[R:.*]] = weft.reverse %{{.*}} axes = [0] : tensor<3xi64>
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[D:.*]] = weft.embedding_grad %[[G]], %[[R]]
// CHECK-NOT:     weft.reverse
// CHECK:         return %[[L]], %[[D]] : tensor<f32>, tensor<10x4xf32>
func.func @negative_integer_path(%t: tensor<10x4xf32>, %ids: tensor<3xi64>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %r = weft.reverse %ids axes = [0] : tensor<3xi64>
  %e = weft.embedding %t, %r : tensor<10x4xf32>, tensor<3xi64> -> tensor<3x4xf32>
  %l = weft.reduce_sum %e axes = [0, 1] : tensor<3x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
