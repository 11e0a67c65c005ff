// RUN: weft-opt %s --split-input-file --weft-form-groups | FileCheck %s

// One op per group; each group yields the value used after it.
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>)
// CHECK:         %[[R:.*]] = weft.group -> tensor<4x8xf32> {
// CHECK-NEXT:      %[[R0:.*]] = weft.relu %[[X]] : tensor<4x8xf32>
// CHECK-NEXT:      weft.yield %[[R0]] : tensor<4x8xf32>
// CHECK-NEXT:    }
// CHECK:         %[[E:.*]] = weft.group -> tensor<4x8xf32> {
// CHECK-NEXT:      %[[E0:.*]] = weft.exp %[[R]] : tensor<4x8xf32>
// CHECK-NEXT:      weft.yield %[[E0]] : tensor<4x8xf32>
// CHECK-NEXT:    }
// CHECK:         return %[[E]]
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = weft.relu %x : tensor<4x8xf32>
  %e = weft.exp %r : tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}

// -----

// A splat constant is cloned into every group that reads it (and the
// original, now unused, is erased); a non-splat constant stays outside and
// is read from above (it becomes a weight).
// CHECK-LABEL: func.func @constants
// CHECK-SAME:    (%[[X:.*]]: tensor<2x2xf32>)
// CHECK:         %[[W:.*]] = weft.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT:     weft.constant
// CHECK:         %[[A:.*]] = weft.group -> tensor<2x2xf32> {
// CHECK-NEXT:      %[[C1:.*]] = weft.constant dense<2.000000e+00> : tensor<2x2xf32>
// CHECK-NEXT:      %[[A0:.*]] = weft.add %[[X]], %[[C1]] : tensor<2x2xf32>
// CHECK-NEXT:      weft.yield %[[A0]]
// CHECK:         %[[M:.*]] = weft.group -> tensor<2x2xf32> {
// CHECK-NEXT:      %[[C2:.*]] = weft.constant dense<2.000000e+00> : tensor<2x2xf32>
// CHECK-NEXT:      %[[M0:.*]] = weft.mul %[[A]], %[[C2]] : tensor<2x2xf32>
// CHECK-NEXT:      weft.yield %[[M0]]
// CHECK:         %[[S:.*]] = weft.group -> tensor<2x2xf32> {
// CHECK-NEXT:      %[[S0:.*]] = weft.sub %[[M]], %[[W]] : tensor<2x2xf32>
// CHECK-NEXT:      weft.yield %[[S0]]
// CHECK:         return %[[S]]
func.func @constants(%x: tensor<2x2xf32>) -> tensor<2x2xf32> attributes {weft.entry} {
  %c = weft.constant dense<2.0> : tensor<2x2xf32>
  %w = weft.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %a = weft.add %x, %c : tensor<2x2xf32>
  %m = weft.mul %a, %c : tensor<2x2xf32>
  %s = weft.sub %m, %w : tensor<2x2xf32>
  return %s : tensor<2x2xf32>
}

// -----

// A reshape of a non-constant tensor stays outside (it aliases its input's
// buffer); a reshape of a constant becomes a kernel.
// CHECK-LABEL: func.func @reshapes
// CHECK:         %[[R:.*]] = weft.group -> tensor<4x8xf32> {
// CHECK-NEXT:      weft.relu
// CHECK:         %[[V:.*]] = weft.reshape %[[R]] : tensor<4x8xf32> -> tensor<32xf32>
// CHECK-NOT:     weft.yield
// CHECK:         %[[E:.*]] = weft.group -> tensor<32xf32> {
// CHECK-NEXT:      weft.exp %[[V]] : tensor<32xf32>
// CHECK:         %[[K:.*]] = weft.group -> tensor<4xf32> {
// CHECK-NEXT:      weft.reshape %{{.*}} : tensor<2x2xf32> -> tensor<4xf32>
// CHECK:         return %[[E]], %[[K]]
func.func @reshapes(%x: tensor<4x8xf32>) -> (tensor<32xf32>, tensor<4xf32>) attributes {weft.entry} {
  %n = weft.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %r = weft.relu %x : tensor<4x8xf32>
  %v = weft.reshape %r : tensor<4x8xf32> -> tensor<32xf32>
  %e = weft.exp %v : tensor<32xf32>
  %k = weft.reshape %n : tensor<2x2xf32> -> tensor<4xf32>
  return %e, %k : tensor<32xf32>, tensor<4xf32>
}

// -----

// A GEMM marked as a library call stays outside; its consumer is grouped.
// CHECK-LABEL: func.func @library_call
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<8x8xf32>)
// CHECK:         %[[M:.*]] = weft.matmul %[[X]], %[[W]] {weft.library_call = "gemm"}
// CHECK-NEXT:    %[[G:.*]] = weft.group -> tensor<4x8xf32> {
// CHECK-NEXT:      weft.relu %[[M]]
// CHECK:         return %[[G]]
func.func @library_call(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> attributes {weft.entry} {
  %m = weft.matmul %x, %w {weft.library_call = "gemm"} : tensor<4x8xf32>, tensor<8x8xf32> -> tensor<4x8xf32>
  %r = weft.relu %m : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// An unmarked GEMM gets a group of its own.
// CHECK-LABEL: func.func @generated_gemm
// CHECK:         weft.group -> tensor<4x8xi32> {
// CHECK-NEXT:      weft.matmul
func.func @generated_gemm(%x: tensor<4x8xi32>, %w: tensor<8x8xi32>) -> tensor<4x8xi32> attributes {weft.entry} {
  %m = weft.matmul %x, %w : tensor<4x8xi32>, tensor<8x8xi32> -> tensor<4x8xi32>
  return %m : tensor<4x8xi32>
}

// -----

// negative: a function that is not an entry (no weft.entry, not @main) is
// untouched.
// CHECK-LABEL: func.func @negative_not_entry
// CHECK-NOT:     weft.group
// CHECK:         weft.constant dense<2.000000e+00>
// CHECK-NEXT:    weft.add
// CHECK-NEXT:    weft.relu
// CHECK-NEXT:    return
func.func @negative_not_entry(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = weft.constant dense<2.0> : tensor<4xf32>
  %a = weft.add %x, %c : tensor<4xf32>
  %r = weft.relu %a : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// negative: an entry that is already grouped is left as it is.
// CHECK-LABEL: func.func @negative_already_grouped
// CHECK:         weft.group
// CHECK-NEXT:      weft.relu
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func @negative_already_grouped(%x: tensor<4xf32>) -> tensor<4xf32> attributes {weft.entry} {
  %r = weft.group -> tensor<4xf32> {
    %0 = weft.relu %x : tensor<4xf32>
    weft.yield %0 : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
