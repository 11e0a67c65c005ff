// RUN: weft-opt %s --split-input-file --dist-partition | FileCheck %s

// The Megatron MLP as dist-auto-shard leaves it: local shapes everywhere,
// the exit reshard [S(0), P(sum)] -> [S(0), B] is one all_reduce over tp.
// CHECK-LABEL: func.func @main
// CHECK-SAME:    %arg0: tensor<2048x512xf32>
// CHECK-SAME:    %arg1: tensor<512x128xf32>
// CHECK-SAME:    %arg2: tensor<128x512xf32>
// CHECK-SAME:    -> (tensor<2048x512xf32>
// CHECK-SAME:    attributes {dist.partitioned = @mesh}
// CHECK:         %[[H:.*]] = weft.matmul %arg0, %arg1 {{.*}} -> tensor<2048x128xf32>
// CHECK:         %[[G:.*]] = weft.gelu %[[H]] {{.*}} : tensor<2048x128xf32>
// CHECK:         %[[Y:.*]] = weft.matmul %[[G]], %arg2 {{.*}} -> tensor<2048x512xf32>
// CHECK:         %[[R:.*]] = dist.all_reduce %[[Y]] on @mesh mesh_axes = [1] kind = sum {dist.order = 0 : i64} : tensor<2048x512xf32>
// CHECK-NOT:     dist.reshard
// CHECK:         return %[[R]] : tensor<2048x512xf32>
dist.mesh @mesh shape = [2, 4] axes = ["dp", "tp"]
func.func @main(%x: tensor<4096x512xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), B]>},
                %w1: tensor<512x512xf32> {dist.sharding = #dist.sharding<@mesh, [B, S(1)]>},
                %w2: tensor<512x512xf32> {dist.sharding = #dist.sharding<@mesh, [B, S(0)]>})
    -> (tensor<4096x512xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), B]>}) {
  %h = weft.matmul %x, %w1 {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>} : tensor<4096x512xf32>, tensor<512x512xf32> -> tensor<4096x512xf32>
  %g = weft.gelu %h {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>} : tensor<4096x512xf32>
  %y = weft.matmul %g, %w2 {dist.sharding = #dist.sharding<@mesh, [S(0), P(sum)]>} : tensor<4096x512xf32>, tensor<512x512xf32> -> tensor<4096x512xf32>
  %r = dist.reshard %y from <@mesh, [S(0), P(sum)]> to <@mesh, [S(0), B]> : tensor<4096x512xf32>
  return %r : tensor<4096x512xf32>
}

// -----

// Multi-axis boxing on 2x4 (the cases upstream MLIR 22 gets wrong), with
// the global orders counting up. An 8x32 tensor:
//  [S(0), S(1)] -> [B, B]: local 4x8 -> 8x8 -> 8x32 (two all_gathers);
//  [B, B] -> [S(0), S(1)]: 8x32 -> 4x32 -> 4x8 (two local slices);
//  a 16x32 tensor [S(0), S(0)] -> [B, B]: the inner axis first,
//  2x32 -> 8x32 -> 16x32.
// CHECK-LABEL: func.func @negative_multi_axis
// CHECK-SAME:    %arg0: tensor<4x8xf32>
// CHECK-SAME:    %arg1: tensor<2x32xf32>
// CHECK:         %[[A:.*]] = dist.all_gather %arg0 on @mesh mesh_axes = [0] dim = 0 {dist.order = 0 : i64} : tensor<4x8xf32> -> tensor<8x8xf32>
// CHECK:         %[[B:.*]] = dist.all_gather %[[A]] on @mesh mesh_axes = [1] dim = 1 {dist.order = 1 : i64} : tensor<8x8xf32> -> tensor<8x32xf32>
// CHECK:         %[[C:.*]] = dist.local_slice %[[B]] on @mesh mesh_axes = [0] dim = 0 : tensor<8x32xf32> -> tensor<4x32xf32>
// CHECK:         %[[D:.*]] = dist.local_slice %[[C]] on @mesh mesh_axes = [1] dim = 1 : tensor<4x32xf32> -> tensor<4x8xf32>
// CHECK:         %[[E:.*]] = dist.all_gather %arg1 on @mesh mesh_axes = [1] dim = 0 {dist.order = 2 : i64} : tensor<2x32xf32> -> tensor<8x32xf32>
// CHECK:         %[[F:.*]] = dist.all_gather %[[E]] on @mesh mesh_axes = [0] dim = 0 {dist.order = 3 : i64} : tensor<8x32xf32> -> tensor<16x32xf32>
// CHECK:         return %[[D]], %[[F]] : tensor<4x8xf32>, tensor<16x32xf32>
dist.mesh @mesh shape = [2, 4] axes = ["a", "b"]
func.func @negative_multi_axis(%x: tensor<8x32xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>},
                               %z: tensor<16x32xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), S(0)]>})
    -> (tensor<8x32xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>},
        tensor<16x32xf32> {dist.sharding = #dist.sharding<@mesh, [B, B]>}) attributes {weft.entry} {
  %b = dist.reshard %x from <@mesh, [S(0), S(1)]> to <@mesh, [B, B]> : tensor<8x32xf32>
  %s = dist.reshard %b from <@mesh, [B, B]> to <@mesh, [S(0), S(1)]> : tensor<8x32xf32>
  %g = dist.reshard %z from <@mesh, [S(0), S(0)]> to <@mesh, [B, B]> : tensor<16x32xf32>
  return %s, %g : tensor<8x32xf32>, tensor<16x32xf32>
}

// -----

// P(sum) -> S(0) is a reduce_scatter; S(0) -> S(1) an all_to_all; pins
// vanish.
// CHECK-LABEL: func.func @negative_partial_and_transpose
// CHECK:         %[[M:.*]] = weft.matmul {{.*}} -> tensor<64x32xf32>
// CHECK:         %[[RS:.*]] = dist.reduce_scatter %[[M]] on @mesh mesh_axes = [0] dim = 0 kind = sum {dist.order = 0 : i64} : tensor<64x32xf32> -> tensor<16x32xf32>
// CHECK:         %[[AA:.*]] = dist.all_to_all %[[RS]] on @mesh mesh_axes = [0] split_dim = 1 concat_dim = 0 {dist.order = 1 : i64} : tensor<16x32xf32> -> tensor<64x8xf32>
// CHECK-NOT:     dist.annotate
// CHECK:         return %[[AA]]
dist.mesh @mesh shape = [4] axes = ["d"]
func.func @negative_partial_and_transpose(%x: tensor<64x128xf32> {dist.sharding = #dist.sharding<@mesh, [S(1)]>},
                                          %w: tensor<128x32xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>})
    -> (tensor<64x32xf32> {dist.sharding = #dist.sharding<@mesh, [S(1)]>}) attributes {weft.entry} {
  %m = weft.matmul %x, %w {dist.sharding = #dist.sharding<@mesh, [P(sum)]>} : tensor<64x128xf32>, tensor<128x32xf32> -> tensor<64x32xf32>
  %s = dist.reshard %m from <@mesh, [P(sum)]> to <@mesh, [S(0)]> : tensor<64x32xf32>
  %p = dist.annotate %s sharding = <@mesh, [S(0)]> : tensor<64x32xf32>
  %t = dist.reshard %p from <@mesh, [S(0)]> to <@mesh, [S(1)]> : tensor<64x32xf32>
  return %t : tensor<64x32xf32>
}

// -----

// A mean over a split dim: each device's mean of its quarter, times 1/4,
// sums to the mean. A split constant is sliced per device.
// CHECK-LABEL: func.func @negative_mean_and_constant
// CHECK:         %[[C:.*]] = weft.constant {{.*}} : tensor<64x8xf32>
// CHECK:         %[[CS:.*]] = dist.local_slice %[[C]] on @mesh mesh_axes = [0] dim = 0 : tensor<64x8xf32> -> tensor<16x8xf32>
// CHECK:         %[[A:.*]] = weft.add %arg0, %[[CS]] {{.*}} : tensor<16x8xf32>
// CHECK:         %[[M:.*]] = weft.reduce_mean %[[A]] axes = [0] {{.*}} : tensor<16x8xf32> -> tensor<8xf32>
// CHECK:         %[[Q:.*]] = weft.constant dense<2.500000e-01> : tensor<f32>
// CHECK:         %[[S:.*]] = weft.mul %[[M]], %[[Q]] {{.*}} : tensor<8xf32>, tensor<f32>
// CHECK:         %[[R:.*]] = dist.all_reduce %[[S]] on @mesh mesh_axes = [0] kind = sum
// CHECK:         return %[[R]]
dist.mesh @mesh shape = [4] axes = ["d"]
func.func @negative_mean_and_constant(%x: tensor<64x8xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>})
    -> (tensor<8xf32> {dist.sharding = #dist.sharding<@mesh, [B]>}) attributes {weft.entry} {
  %c = weft.constant dense<1.0> : tensor<64x8xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>}
  %a = weft.add %x, %c {dist.sharding = #dist.sharding<@mesh, [S(0)]>} : tensor<64x8xf32>
  %m = weft.reduce_mean %a axes = [0] {dist.sharding = #dist.sharding<@mesh, [P(sum)]>} : tensor<64x8xf32> -> tensor<8xf32>
  %r = dist.reshard %m from <@mesh, [P(sum)]> to <@mesh, [B]> : tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// A vocabulary-split table: the lookup keeps its local 8-row table and is
// marked for dist-specialize, which knows each device's row offset.
// CHECK-LABEL: func.func @negative_vocab_split
// CHECK-SAME:    %arg0: tensor<8x4xf32>
// CHECK:         weft.embedding %arg0, %arg1 {dist.sharding = #dist.sharding<@mesh, [P(sum)]>, dist.vocab_axes = array<i64: 0>} : tensor<8x4xf32>, tensor<8xi64> -> tensor<8x4xf32>
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @negative_vocab_split(%t: tensor<16x4xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                                %i: tensor<8xi64> {dist.sharding = #dist.sharding<@mesh, [B]>})
    -> (tensor<8x4xf32> {dist.sharding = #dist.sharding<@mesh, [P(sum)]>}) attributes {weft.entry} {
  %e = weft.embedding %t, %i {dist.sharding = #dist.sharding<@mesh, [P(sum)]>} : tensor<16x4xf32>, tensor<8xi64> -> tensor<8x4xf32>
  return %e : tensor<8x4xf32>
}

// -----

// Gradient-rule ops keep their attributes on local shapes: embedding_grad
// over split index positions scatters into a whole local table (P(sum),
// then one all_reduce), pad of a split unpadded dim pads each chunk alike.
// CHECK-LABEL: func.func @grad_rule_ops
// CHECK-SAME:    %arg0: tensor<4x4xf32>
// CHECK-SAME:    %arg1: tensor<4xi64>
// CHECK-SAME:    %arg2: tensor<3x5xf32>
// CHECK:         %[[T:.*]] = weft.embedding_grad %arg0, %arg1 {{.*}} : tensor<4x4xf32>, tensor<4xi64> -> tensor<16x4xf32>
// CHECK:         %[[R:.*]] = dist.all_reduce %[[T]] on @mesh mesh_axes = [0] kind = sum {{.*}} : tensor<16x4xf32>
// CHECK:         %[[P:.*]] = weft.pad %arg2 low = [0, 1] high = [0, 2] interior = [0, 1] value = -1.000000e+00 {{.*}} : tensor<3x5xf32> -> tensor<3x12xf32>
// CHECK:         return %[[R]], %[[P]] : tensor<16x4xf32>, tensor<3x12xf32>
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @grad_rule_ops(%g: tensor<8x4xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                         %i: tensor<8xi64> {dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                         %x: tensor<6x5xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>})
    -> (tensor<16x4xf32> {dist.sharding = #dist.sharding<@mesh, [B]>},
        tensor<6x12xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>}) attributes {weft.entry} {
  %t = weft.embedding_grad %g, %i {dist.sharding = #dist.sharding<@mesh, [P(sum)]>} : tensor<8x4xf32>, tensor<8xi64> -> tensor<16x4xf32>
  %r = dist.reshard %t from <@mesh, [P(sum)]> to <@mesh, [B]> : tensor<16x4xf32>
  %p = weft.pad %x low = [0, 1] high = [0, 2] interior = [0, 1] value = -1.0 {dist.sharding = #dist.sharding<@mesh, [S(0)]>} : tensor<6x5xf32> -> tensor<6x12xf32>
  return %r, %p : tensor<16x4xf32>, tensor<6x12xf32>
}
