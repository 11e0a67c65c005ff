// RUN: weft-opt %s --split-input-file --canonicalize | FileCheck %s

dist.mesh @m shape = [2, 2] axes = ["a", "b"]

// CHECK-LABEL: func.func @reshard_noop_and_roundtrip
// CHECK-SAME:    (%[[X:.*]]: tensor<8x8xf32>)
// CHECK-NOT:     dist.reshard
// CHECK:         return %[[X]], %[[X]]
func.func @reshard_noop_and_roundtrip(%x: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %0 = dist.reshard %x from <@m, [S(0), B]> to <@m, [S(0), B]> : tensor<8x8xf32>
  %1 = dist.reshard %x from <@m, [S(0), B]> to <@m, [B, S(1)]> : tensor<8x8xf32>
  %2 = dist.reshard %1 from <@m, [B, S(1)]> to <@m, [S(0), B]> : tensor<8x8xf32>
  return %0, %2 : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

dist.mesh @m shape = [2, 2] axes = ["a", "b"]

// A real layout change stays.
// CHECK-LABEL: func.func @negative_reshard_kept
// CHECK:         dist.reshard
func.func @negative_reshard_kept(%x: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %0 = dist.reshard %x from <@m, [P(sum), B]> to <@m, [B, B]> : tensor<8x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

dist.mesh @m shape = [2] axes = ["a"]

// Collectives are never dropped, even without users: every rank must still
// take part.
// CHECK-LABEL: func.func @negative_collectives_kept
// CHECK:         dist.all_reduce
// CHECK:         dist.swap_out
func.func @negative_collectives_kept(%x: tensor<8xf32>) {
  %0 = dist.all_reduce %x on @m mesh_axes = [0] kind = sum : tensor<8xf32>
  %1 = dist.swap_out %x : tensor<8xf32>
  return
}
