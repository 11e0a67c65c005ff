// RUN: not weft-opt %s --split-input-file --dist-partition 2>&1 | FileCheck %s

// CHECK: error: dist-partition: @negative_unsharded is not sharded (its arguments carry no dist.sharding); run dist-auto-shard first
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @negative_unsharded(%x: tensor<8xf32>) -> tensor<8xf32> attributes {weft.entry} {
  %r = weft.relu %x : tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// CHECK: error: 'weft.relu' op dist-partition: has no dist.sharding; run dist-auto-shard first
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @negative_op_unsharded(%x: tensor<8xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>}) -> tensor<8xf32> attributes {weft.entry} {
  %r = weft.relu %x : tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

// A vocabulary-split table (P(sum) embedding) has no local form yet.
// CHECK: error: 'weft.embedding' op dist-partition: a vocabulary-split embedding table has no local form yet
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @negative_vocab_split(%t: tensor<16x4xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                                %i: tensor<8xi64> {dist.sharding = #dist.sharding<@mesh, [B]>})
    -> (tensor<8x4xf32> {dist.sharding = #dist.sharding<@mesh, [P(sum)]>}) attributes {weft.entry} {
  %e = weft.embedding %t, %i {dist.sharding = #dist.sharding<@mesh, [P(sum)]>} : tensor<16x4xf32>, tensor<8xi64> -> tensor<8x4xf32>
  return %e : tensor<8x4xf32>
}
