// RUN: not weft-opt %s --split-input-file --dist-auto-shard 2>&1 | FileCheck %s
// RUN: not weft-opt %s --split-input-file --dist-auto-shard="memory-budget=4096" 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: not weft-opt %s --split-input-file --dist-auto-shard="mode=best" 2>&1 | FileCheck %s --check-prefix=MODE

// An op without a sharding rule runs replicated, with a warning naming it;
// the rest of the function is still sharded.
// CHECK: warning: no sharding rule for this op; it runs replicated
// CHECK: arith.addf
// MODE: dist-auto-shard: mode must be 'fast' or 'exact', got 'best'
dist.mesh @mesh shape = [4] axes = ["d"]
func.func @negative_no_rule(%a: tensor<64x8xf32>, %b: tensor<64x8xf32>) -> tensor<64x8xf32> attributes {weft.entry} {
  %s = arith.addf %a, %b : tensor<64x8xf32>
  %r = weft.relu %s : tensor<64x8xf32>
  return %r : tensor<64x8xf32>
}

// -----

// CHECK: error: dist-auto-shard: the module has no dist.mesh (weftc: --mesh=2x4)
func.func @negative_no_mesh(%a: tensor<8xf32>) -> tensor<8xf32> attributes {weft.entry} {
  return %a : tensor<8xf32>
}

// -----

// CHECK: error: dist-auto-shard: the module has several dist.mesh ops; name one with mesh=NAME
dist.mesh @m1 shape = [2] axes = ["a"]
dist.mesh @m2 shape = [2] axes = ["a"]
func.func @negative_two_meshes(%a: tensor<8xf32>) -> tensor<8xf32> attributes {weft.entry} {
  return %a : tensor<8xf32>
}

// -----

// A pin on another mesh than the one being sharded over.
// CHECK: error: argument 0 is pinned to mesh @other but the function is sharded over @mesh
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @negative_pin_other_mesh(%a: tensor<8xf32> {dist.sharding = #dist.sharding<@other, [S(0)]>}) -> tensor<8xf32> attributes {weft.entry} {
  return %a : tensor<8xf32>
}

// -----

// CHECK: error: dist-auto-shard: no entry function (@main or one marked weft.entry)
dist.mesh @mesh shape = [2] axes = ["a"]
func.func @negative_not_entry(%a: tensor<8xf32>) -> tensor<8xf32> {
  return %a : tensor<8xf32>
}

// -----

// A budget no sharding can meet names the smallest peak reachable: the
// 1 MiB weight split 4 ways (256 KiB) plus a quarter of x and of y
// (32 KiB each) = 327680 bytes per device.
// BUDGET: error: dist-auto-shard: @negative_budget: memory budget of 4096 bytes (0.00 MiB) per device cannot be met: the smallest peak the search reached is 327680 bytes
dist.mesh @mesh shape = [4] axes = ["d"]
func.func @negative_budget(%x: tensor<64x512xf32>, %w: tensor<512x512xf32>) -> tensor<64x512xf32> attributes {weft.entry} {
  %y = weft.matmul %x, %w : tensor<64x512xf32>, tensor<512x512xf32> -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}
