// RUN: weft-opt %s --split-input-file --weft-outline-kernels | FileCheck %s

// A group becomes a dispatch of a kernel in @weft_kernels: memref
// arguments, inputs then outputs, read with to_tensor and written with
// materialize_in_destination.
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%[[A:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK:         %[[R:.*]] = weft.dispatch @weft_kernels::@k0(%[[A]], %[[B]]) label = "weft.add" : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NOT:     weft.group
// CHECK:         return %[[R]]
// CHECK:       module @weft_kernels {
// CHECK:         func.func @k0(%[[KA:.*]]: memref<8xf32>, %[[KB:.*]]: memref<8xf32>, %[[KR:.*]]: memref<8xf32>) attributes {weft.num_inputs = 2 : i64} {
// CHECK-NEXT:      %[[TA:.*]] = bufferization.to_tensor %[[KA]] restrict : memref<8xf32> to tensor<8xf32>
// CHECK-NEXT:      %[[TB:.*]] = bufferization.to_tensor %[[KB]] restrict : memref<8xf32> to tensor<8xf32>
// CHECK-NEXT:      %[[S:.*]] = weft.add %[[TA]], %[[TB]] : tensor<8xf32>
// CHECK-NEXT:      bufferization.materialize_in_destination %[[S]] in restrict writable %[[KR]] : (tensor<8xf32>, memref<8xf32>) -> ()
// CHECK-NEXT:      return
func.func @main(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %r = weft.group -> tensor<8xf32> {
    %s = weft.add %a, %b : tensor<8xf32>
    weft.yield %s : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}

// -----

// A multi-op group: only the yielded values become outputs (%t, the
// intermediate, stays inside the kernel); an input read twice is one
// argument; a constant inside the group stays inside.
// CHECK-LABEL: func.func @multi_op
// CHECK-SAME:    (%[[A:.*]]: tensor<4x8xf32>)
// CHECK:         %[[R:.*]]:2 = weft.dispatch @weft_kernels::@k0(%[[A]]) label = "weft.mul+weft.relu+weft.exp" : (tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK:         return %[[R]]#1, %[[R]]#0
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%[[KA:[^:]*]]: memref<4x8xf32>, %[[KU:[^:]*]]: memref<4x8xf32>, %[[KV:[^:]*]]: memref<4x8xf32>) attributes {weft.num_inputs = 1 : i64}
// CHECK:           %[[TA:.*]] = bufferization.to_tensor %[[KA]]
// CHECK:           %[[C:.*]] = weft.constant dense<2.000000e+00>
// CHECK:           %[[T:.*]] = weft.mul %[[TA]], %[[C]]
// CHECK:           %[[U:.*]] = weft.relu %[[T]]
// CHECK:           %[[V:.*]] = weft.exp %[[TA]]
// CHECK-NOT:       materialize_in_destination %[[T]]
// CHECK:           bufferization.materialize_in_destination %[[U]] in restrict writable %[[KU]]
// CHECK-NEXT:      bufferization.materialize_in_destination %[[V]] in restrict writable %[[KV]]
// CHECK-NEXT:      return
func.func @multi_op(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) attributes {weft.entry} {
  %r:2 = weft.group -> tensor<4x8xf32>, tensor<4x8xf32> {
    %c = weft.constant dense<2.0> : tensor<4x8xf32>
    %t = weft.mul %a, %c : tensor<4x8xf32>
    %u = weft.relu %t : tensor<4x8xf32>
    %v = weft.exp %a : tensor<4x8xf32>
    weft.yield %u, %v : tensor<4x8xf32>, tensor<4x8xf32>
  }
  return %r#1, %r#0 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Groups are numbered in order; a kernel name already taken in an existing
// @weft_kernels module is skipped. A tensor with no elements is passed as
// memref<0x...> and is never read (tensor.empty) nor written.
// CHECK-LABEL: func.func @numbering
// CHECK:         %[[R0:.*]] = weft.dispatch @weft_kernels::@k1(%{{.*}}) label = "weft.neg"
// CHECK:         weft.dispatch @weft_kernels::@k2(%[[R0]], %{{.*}}, %{{.*}}) label = "weft.add+weft.neg"
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0()
// CHECK:         func.func @k1(
// CHECK:         func.func @k2(%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>, %{{.*}}: memref<0xf32>, %[[O1:[^:]*]]: memref<4xf32>, %[[O2:[^:]*]]: memref<0xf32>)
// CHECK:           tensor.empty() : tensor<2x0xf32>
// CHECK:           bufferization.materialize_in_destination %{{.*}} in restrict writable %[[O1]]
// CHECK-NOT:       materialize_in_destination
// CHECK:           return
func.func @numbering(%x: tensor<4xf32>, %e: tensor<2x0xf32>) -> (tensor<4xf32>, tensor<2x0xf32>) attributes {weft.entry} {
  %n = weft.group -> tensor<4xf32> {
    %0 = weft.neg %x : tensor<4xf32>
    weft.yield %0 : tensor<4xf32>
  }
  %s:2 = weft.group -> tensor<4xf32>, tensor<2x0xf32> {
    %0 = weft.add %n, %x : tensor<4xf32>
    %1 = weft.neg %e : tensor<2x0xf32>
    weft.yield %0, %1 : tensor<4xf32>, tensor<2x0xf32>
  }
  return %s#0, %s#1 : tensor<4xf32>, tensor<2x0xf32>
}
module @weft_kernels {
  func.func @k0() {
    return
  }
}

// -----

// negative: without groups no kernel module is created.
// CHECK-LABEL: func.func @negative_no_groups
// CHECK-NEXT:    weft.relu
// CHECK-NEXT:    return
// CHECK-NOT:   module @weft_kernels
// CHECK-NOT:   weft.dispatch
func.func @negative_no_groups(%x: tensor<4xf32>) -> tensor<4xf32> attributes {weft.entry} {
  %r = weft.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// negative: a group in a function that is not an entry is not outlined.
// CHECK-LABEL: func.func @negative_not_entry
// CHECK:         weft.group
// CHECK-NOT:     weft.dispatch
// CHECK-NOT:   module @weft_kernels
func.func @negative_not_entry(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = weft.group -> tensor<4xf32> {
    %0 = weft.relu %x : tensor<4xf32>
    weft.yield %0 : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
