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

