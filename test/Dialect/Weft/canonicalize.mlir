// RUN: weft-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NOT:     weft.add
// CHECK:         return %[[X]], %[[X]]
func.func @add_zero(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %z = weft.constant dense<0.0> : tensor<4x8xf32>
  %zb = weft.constant dense<0.0> : tensor<8xf32>
  %0 = weft.add %x, %z : tensor<4x8xf32>
  %1 = weft.add %zb, %x : tensor<8xf32>, tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// A zero that broadcasts the operand to a larger shape is not an identity.
// CHECK-LABEL: func.func @negative_add_zero_broadcasts
// CHECK:         weft.add
func.func @negative_add_zero_broadcasts(%x: tensor<8xf32>) -> tensor<4x8xf32> {
  %z = weft.constant dense<0.0> : tensor<4x8xf32>
  %0 = weft.add %x, %z : tensor<8xf32>, tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @negative_add_nonzero
// CHECK:         weft.add
func.func @negative_add_nonzero(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = weft.constant dense<1.0> : tensor<4xf32>
  %0 = weft.add %x, %c : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @sub_mul_div_identities
// CHECK-SAME:    (%[[X:.*]]: tensor<4xi32>)
// CHECK-NOT:     weft.sub
// CHECK-NOT:     weft.mul
// CHECK-NOT:     weft.div
// CHECK:         return %[[X]], %[[X]], %[[X]]
func.func @sub_mul_div_identities(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %z = weft.constant dense<0> : tensor<4xi32>
  %o = weft.constant dense<1> : tensor<4xi32>
  %0 = weft.sub %x, %z : tensor<4xi32>
  %1 = weft.mul %o, %x : tensor<4xi32>
  %2 = weft.div %x, %o : tensor<4xi32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// -----

// 0 - x is not x.
// CHECK-LABEL: func.func @negative_zero_minus_x
// CHECK:         weft.sub
func.func @negative_zero_minus_x(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = weft.constant dense<0.0> : tensor<4xf32>
  %0 = weft.sub %z, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @constant_arith
// CHECK-DAG:     %[[A:.*]] = weft.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[B:.*]] = weft.constant dense<[3, 8]> : tensor<2xi32>
// CHECK-NOT:     weft.add
// CHECK-NOT:     weft.mul
// CHECK:         return %[[A]], %[[B]]
func.func @constant_arith() -> (tensor<2xf32>, tensor<2xi32>) {
  %a = weft.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = weft.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = weft.add %a, %b : tensor<2xf32>
  %c = weft.constant dense<[1, 2]> : tensor<2xi32>
  %d = weft.constant dense<[3, 4]> : tensor<2xi32>
  %1 = weft.mul %c, %d : tensor<2xi32>
  return %0, %1 : tensor<2xf32>, tensor<2xi32>
}

// -----

// Integer division is total: x / 0 == 0 and INT_MIN / -1 == INT_MIN fold
// like they run.
// CHECK-LABEL: func.func @div_by_zero_and_overflow
// CHECK:         %[[Q:.*]] = weft.constant dense<[0, 2, -2147483648, 3]> : tensor<4xi32>
// CHECK-NOT:     weft.div
// CHECK:         return %[[Q]]
func.func @div_by_zero_and_overflow() -> tensor<4xi32> {
  %a = weft.constant dense<[1, 2, -2147483648, -7]> : tensor<4xi32>
  %z = weft.constant dense<[0, 1, -1, -2]> : tensor<4xi32>
  %0 = weft.div %a, %z : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>)
// CHECK:         %[[R:.*]] = weft.reshape %[[X]] : tensor<4x8xf32> -> tensor<32xf32>
// CHECK-NEXT:    return %[[R]], %[[X]]
func.func @reshape_chain(%x: tensor<4x8xf32>) -> (tensor<32xf32>, tensor<4x8xf32>) {
  %0 = weft.reshape %x : tensor<4x8xf32> -> tensor<2x16xf32>
  %1 = weft.reshape %0 : tensor<2x16xf32> -> tensor<32xf32>
  %2 = weft.reshape %0 : tensor<2x16xf32> -> tensor<4x8xf32>
  return %1, %2 : tensor<32xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK:         weft.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
// CHECK-NOT:     weft.reshape
func.func @reshape_constant() -> tensor<2x2xi32> {
  %c = weft.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %0 = weft.reshape %c : tensor<4xi32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @transpose_chain
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK:         %[[T:.*]] = weft.transpose %[[X]] perm = [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT:    return %[[X]], %[[T]]
func.func @transpose_chain(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>) {
  // Inverse pair: disappears.
  %0 = weft.transpose %x perm = [1, 2, 0] : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = weft.transpose %0 perm = [2, 0, 1] : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  // [1, 0, 2] then [2, 1, 0] compose to one transpose: result dim i reads
  // x dim p[q[i]], i.e. [2, 0, 1].
  %2 = weft.transpose %x perm = [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %3 = weft.transpose %2 perm = [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  return %1, %3 : tensor<2x3x4xf32>, tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @identity_layout_ops
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NOT:     weft.transpose
// CHECK-NOT:     weft.broadcast_to
// CHECK-NOT:     weft.slice
// CHECK-NOT:     weft.concat
// CHECK-NOT:     weft.cast
// CHECK:         return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_layout_ops(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = weft.transpose %x perm = [0, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = weft.broadcast_to %x : tensor<4x8xf32> -> tensor<4x8xf32>
  %2 = weft.slice %x starts = [0, 0] limits = [4, 8] : tensor<4x8xf32> -> tensor<4x8xf32>
  %3 = weft.concat %x axis = 0 : tensor<4x8xf32> -> tensor<4x8xf32>
  %4 = weft.cast %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0, %1, %2, %3, %4 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @splat_layout_ops
// CHECK-DAG:     weft.constant dense<2.000000e+00> : tensor<3x4x8xf32>
// CHECK-DAG:     weft.constant dense<2.000000e+00> : tensor<8x4xf32>
// CHECK-DAG:     weft.constant dense<2.000000e+00> : tensor<2x8xf32>
// CHECK-NOT:     weft.broadcast_to
// CHECK-NOT:     weft.transpose
// CHECK-NOT:     weft.slice
func.func @splat_layout_ops() -> (tensor<3x4x8xf32>, tensor<8x4xf32>, tensor<2x8xf32>) {
  %c = weft.constant dense<2.0> : tensor<4x8xf32>
  %0 = weft.broadcast_to %c : tensor<4x8xf32> -> tensor<3x4x8xf32>
  %1 = weft.transpose %c perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  %2 = weft.slice %c starts = [1, 0] limits = [3, 8] : tensor<4x8xf32> -> tensor<2x8xf32>
  return %0, %1, %2 : tensor<3x4x8xf32>, tensor<8x4xf32>, tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @unary_chains
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[R:.*]] = weft.relu %[[X]]
// CHECK-NOT:     weft.relu
// CHECK-NOT:     weft.neg
// CHECK:         return %[[R]], %[[X]]
func.func @unary_chains(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = weft.relu %x : tensor<4xf32>
  %1 = weft.relu %0 : tensor<4xf32>
  %2 = weft.neg %x : tensor<4xf32>
  %3 = weft.neg %2 : tensor<4xf32>
  return %1, %3 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Pure ops with no users are erased.
// CHECK-LABEL: func.func @dead_ops
// CHECK-NOT:     weft.
func.func @dead_ops(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) {
  %0 = weft.matmul %x, %w : tensor<4x8xf32>, tensor<8x8xf32> -> tensor<4x8xf32>
  %1 = weft.softmax %0 axis = 1 : tensor<4x8xf32>
  return
}

// -----

// No padding (and interior padding of a dim with one element) and reversal
// of nothing (no axes, or dims of size 1) are the input.
// CHECK-LABEL: func.func @identity_pad_reverse
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8xf32>)
// CHECK-NOT:     weft.pad
// CHECK-NOT:     weft.reverse
// CHECK:         return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_pad_reverse(%x: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) {
  %0 = weft.pad %x low = [0, 0] high = [0, 0] value = 3.0 : tensor<1x8xf32> -> tensor<1x8xf32>
  %1 = weft.pad %x low = [0, 0] high = [0, 0] interior = [5, 0] : tensor<1x8xf32> -> tensor<1x8xf32>
  %2 = weft.reverse %x axes = [] : tensor<1x8xf32>
  %3 = weft.reverse %x axes = [0] : tensor<1x8xf32>
  return %0, %1, %2, %3 : tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// Reversing the same axes twice is the input; a reversed splat is the splat.
// CHECK-LABEL: func.func @reverse_twice
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NOT:     weft.reverse
// CHECK:         %[[C:.*]] = weft.constant dense<2.000000e+00> : tensor<4x8xf32>
// CHECK:         return %[[X]], %[[C]]
func.func @reverse_twice(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = weft.reverse %x axes = [0, 1] : tensor<4x8xf32>
  %1 = weft.reverse %0 axes = [1, 0] : tensor<4x8xf32>
  %c = weft.constant dense<2.0> : tensor<4x8xf32>
  %2 = weft.reverse %c axes = [1] : tensor<4x8xf32>
  return %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Real padding and reversal stay.
// CHECK-LABEL: func.func @negative_pad_reverse
// CHECK:         weft.pad
// CHECK:         weft.pad
// CHECK:         %[[R:.*]] = weft.reverse %{{.*}} axes = [1]
// CHECK:         weft.reverse %[[R]] axes = [0]
func.func @negative_pad_reverse(%x: tensor<4x8xf32>) -> (tensor<4x10xf32>, tensor<7x8xf32>, tensor<4x8xf32>) {
  %0 = weft.pad %x low = [0, 1] high = [0, 1] : tensor<4x8xf32> -> tensor<4x10xf32>
  %1 = weft.pad %x low = [0, 0] high = [0, 0] interior = [1, 0] : tensor<4x8xf32> -> tensor<7x8xf32>
  %2 = weft.reverse %x axes = [1] : tensor<4x8xf32>
  %3 = weft.reverse %2 axes = [0] : tensor<4x8xf32>
  return %0, %1, %3 : tensor<4x10xf32>, tensor<7x8xf32>, tensor<4x8xf32>
}

// -----

// Two splats of different (broadcast) shapes fold to a splat of the result.
// CHECK-LABEL: func.func @splat_times_scalar
// CHECK-NEXT:    %[[C:.*]] = weft.constant dense<1.500000e+00> : tensor<2x3xf32>
// CHECK-NEXT:    return %[[C]]
func.func @splat_times_scalar() -> tensor<2x3xf32> {
  %a = weft.constant dense<3.0> : tensor<2x3xf32>
  %b = weft.constant dense<0.5> : tensor<f32>
  %m = weft.mul %a, %b : tensor<2x3xf32>, tensor<f32>
  return %m : tensor<2x3xf32>
}

// -----

// Integer division by a zero splat folds to weft.div's defined zero.
// CHECK-LABEL: func.func @splat_int_div_by_zero
// CHECK-NEXT:    %[[C:.*]] = weft.constant dense<0> : tensor<4xi32>
// CHECK-NEXT:    return %[[C]]
func.func @splat_int_div_by_zero() -> tensor<4xi32> {
  %a = weft.constant dense<7> : tensor<4xi32>
  %b = weft.constant dense<0> : tensor<i32>
  %d = weft.div %a, %b : tensor<4xi32>, tensor<i32>
  return %d : tensor<4xi32>
}
