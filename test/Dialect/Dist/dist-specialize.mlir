// RUN: weft-opt %s --split-input-file --dist-specialize | FileCheck %s

// Mesh 2x2, devices numbered row-major: (0,0)=0 (0,1)=1 (1,0)=2 (1,1)=3.
// A local slice of dim 1 over axis 1 keeps chunk coords[1]; a gather of
// dim 1 (not outermost) is wrapped in transposes; groups list the devices
// that differ only on the collective's axis; a made-partial value is zero
// off the group's first device; a parameter's initial value is cut to the
// device's slice. Order numbers: logical order x 4 devices + the group's
// index (the all_reduce over axis a, logical order 1, is 4 on group
// [0, 2] and 5 on [1, 3]).
// CHECK-LABEL: func.func @main.part0
// CHECK-SAME:    %arg0: tensor<4x2xf32> {dist.global_type = tensor<8x4xf32>, {{[^}]*}}dist.start = array<i64: 0, 0>
// CHECK-SAME:    weft.init = dense<{{\[\[}}0.000000e+00, 1.000000e+00], [4.000000e+00, 5.000000e+00], [8.000000e+00, 9.000000e+00], [1.200000e+01, 1.300000e+01]]>
// CHECK-SAME:    attributes {dist.device = 0 : i64, dist.entry = "main", weft.entry}
// CHECK:         %[[T:.*]] = weft.transpose %arg0 perm = [1, 0] : tensor<4x2xf32> -> tensor<2x4xf32>
// CHECK:         %[[G:.*]] = dist.all_gather %[[T]] on @mesh mesh_axes = [1] dim = 0 {dist.group = array<i64: 0, 1>, dist.order = 0 : i64} : tensor<2x4xf32> -> tensor<4x4xf32>
// CHECK:         %[[B:.*]] = weft.transpose %[[G]] perm = [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
// CHECK:         %[[S:.*]] = weft.slice %[[B]] starts = [0, 0] limits = [4, 2]
// CHECK:         %[[R:.*]] = dist.all_reduce %arg1 on @mesh mesh_axes = [0] kind = sum {dist.group = array<i64: 0, 2>, dist.order = 4 : i64}
// CHECK:         return %[[S]], %[[R]]
// CHECK-LABEL: func.func @main.part1
// CHECK-SAME:    dist.start = array<i64: 0, 2>
// CHECK-SAME:    weft.init = dense<{{\[\[}}2.000000e+00, 3.000000e+00]
// CHECK:         dist.all_gather {{.*}} {dist.group = array<i64: 0, 1>, dist.order = 0 : i64}
// CHECK:         weft.slice {{.*}} starts = [0, 2] limits = [4, 4]
// CHECK:         dist.all_reduce {{.*}} {dist.group = array<i64: 1, 3>, dist.order = 5 : i64}
// CHECK-LABEL: func.func @main.part2
// CHECK-SAME:    dist.start = array<i64: 4, 0>
// CHECK:         dist.all_gather {{.*}} {dist.group = array<i64: 2, 3>, dist.order = 1 : i64}
// CHECK-LABEL: func.func @main.part3
// CHECK-SAME:    dist.start = array<i64: 4, 2>
// CHECK-NOT:     func.func @main(
dist.mesh @mesh shape = [2, 2] axes = ["a", "b"]
func.func @main(%x: tensor<4x2xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>, weft.state = "x",
                                     weft.init = dense<[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0], [24.0, 25.0, 26.0, 27.0], [28.0, 29.0, 30.0, 31.0]]> : tensor<8x4xf32>},
                %p: tensor<4xf32> {dist.sharding = #dist.sharding<@mesh, [B, B]>})
    -> (tensor<4x2xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>},
        tensor<4xf32> {dist.sharding = #dist.sharding<@mesh, [B, B]>}) attributes {dist.partitioned = @mesh} {
  %g = dist.all_gather %x on @mesh mesh_axes = [1] dim = 1 {dist.order = 0 : i64} : tensor<4x2xf32> -> tensor<4x4xf32>
  %s = dist.local_slice %g on @mesh mesh_axes = [1] dim = 1 : tensor<4x4xf32> -> tensor<4x2xf32>
  %r = dist.all_reduce %p on @mesh mesh_axes = [0] kind = sum {dist.order = 1 : i64} : tensor<4xf32>
  return %s, %r : tensor<4x2xf32>, tensor<4xf32>
}

// -----

// make_partial: the value on the group's first device, zeros elsewhere.
// CHECK-LABEL: func.func @main.part0
// CHECK-NOT:     weft.constant
// CHECK:         return %arg0
// CHECK-LABEL: func.func @main.part1
// CHECK:         %[[Z:.*]] = weft.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK:         return %[[Z]]
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @main(%b: tensor<4xf32> {dist.sharding = #dist.sharding<@mesh, [B]>})
    -> (tensor<4xf32> {dist.sharding = #dist.sharding<@mesh, [B]>}) attributes {dist.partitioned = @mesh} {
  %p = dist.make_partial %b on @mesh mesh_axes = [0] : tensor<4xf32>
  return %p : tensor<4xf32>
}

// -----

// A vocabulary-split lookup on device 1 of 2 owns rows [8, 16): it looks up
// id - 8 and zeroes the rows of ids outside (keep = relu(1 - relu(8 - id)
// - relu(id - 15))).
// CHECK-LABEL: func.func @main.part1
// CHECK:         %[[O:.*]] = weft.constant dense<8> : tensor<i64>
// CHECK:         %[[L:.*]] = weft.sub %arg1, %[[O]]
// CHECK:         %[[HI:.*]] = weft.constant dense<15> : tensor<i64>
// CHECK:         %[[K:.*]] = weft.cast {{.*}} : tensor<8xi64> -> tensor<8xf32>
// CHECK:         %[[M:.*]] = weft.reshape %[[K]] : tensor<8xf32> -> tensor<8x1xf32>
// CHECK:         %[[E:.*]] = weft.embedding %arg0, %[[L]]
// CHECK-NOT:     dist.vocab_axes
// CHECK:         %[[R:.*]] = weft.mul %[[E]], %[[M]] : tensor<8x4xf32>, tensor<8x1xf32>
// CHECK:         return %[[R]]
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @main(%t: tensor<8x4xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                %i: tensor<8xi64> {dist.sharding = #dist.sharding<@mesh, [B]>})
    -> (tensor<8x4xf32> {dist.sharding = #dist.sharding<@mesh, [B]>}) attributes {dist.partitioned = @mesh} {
  %e = weft.embedding %t, %i {dist.vocab_axes = array<i64: 0>} : tensor<8x4xf32>, tensor<8xi64> -> tensor<8x4xf32>
  return %e : tensor<8x4xf32>
}
