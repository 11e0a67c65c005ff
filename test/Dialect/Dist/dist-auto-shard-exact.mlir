// RUN: weft-opt %s --dist-auto-shard="mode=exact training=true report=-" | FileCheck %s

// The exact ILP mode on the Megatron MLP of dist-auto-shard.mlir: the same
// plan (103.7 us of communication, worked out there), proved optimal.
// CHECK-LABEL: sharding of @main over @mesh 2x4 (dp, tp) (exact search, training step)
// CHECK:       arg1 {{.*}}-> [B, S(1)]
// CHECK:       arg2 {{.*}}-> [B, S(0)]
// CHECK:       communication 103.7 us
// CHECK:       search: exact mode, {{.*}} optimality gap 0.0000 (proved optimal)
dist.mesh @mesh shape = [2, 4] axes = ["dp", "tp"] latency_us = [10.0, 1.0] bandwidth_gbps = [12.5, 400.0] flops = 1.0e13
func.func @main(%x: tensor<4096x512xf32>, %w1: tensor<512x512xf32> {weft.state = "w1"}, %w2: tensor<512x512xf32> {weft.state = "w2"}) -> tensor<4096x512xf32> {
  %h = weft.matmul %x, %w1 : tensor<4096x512xf32>, tensor<512x512xf32> -> tensor<4096x512xf32>
  %g = weft.gelu %h : tensor<4096x512xf32>
  %y = weft.matmul %g, %w2 : tensor<4096x512xf32>, tensor<512x512xf32> -> tensor<4096x512xf32>
  return %y : tensor<4096x512xf32>
}
