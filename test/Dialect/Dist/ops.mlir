// RUN: weft-opt %s | FileCheck %s
// RUN: weft-opt %s | weft-opt | FileCheck %s
// RUN: weft-opt %s --mlir-print-op-generic | weft-opt | FileCheck %s

// CHECK: dist.mesh @m shape = [2, 4] axes = ["dp", "tp"] latency_us = [1.000000e+01, 2.000000e+00] bandwidth_gbps = [2.500000e+01, 4.500000e+02] memory_bytes = 85899345920 flops = 9.890000e+14
dist.mesh @m shape = [2, 4] axes = ["dp", "tp"]
    latency_us = [10.0, 2.0] bandwidth_gbps = [25.0, 450.0]
    memory_bytes = 85899345920 flops = 9.89e14
// CHECK: dist.mesh @line shape = [8] axes = ["x"]{{$}}
dist.mesh @line shape = [8] axes = ["x"]
// CHECK: dist.mesh @gpus shape = [4] axes = ["gpu"] flops = 9.890000e+14 memory_bandwidth_gbps = 3.350000e+03 launch_us = 2.500000e+00{{$}}
dist.mesh @gpus shape = [4] axes = ["gpu"] flops = 9.89e14
    memory_bandwidth_gbps = 3350.0 launch_us = 2.5
// A zero launch floor is allowed (launch_us must only be non-negative).
// CHECK: dist.mesh @free shape = [2] axes = ["x"] launch_us = 0.000000e+00{{$}}
dist.mesh @free shape = [2] axes = ["x"] launch_us = 0.0
// CHECK: dist.mesh @cube shape = [2, 2, 2] axes = ["a", "b", "c"]{{$}}
dist.mesh @cube shape = [2, 2, 2] axes = ["a", "b", "c"]

// CHECK-LABEL: func.func @logical
func.func @logical(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // CHECK: dist.annotate %{{.*}} sharding = <@m, [S(0), B]> : tensor<8x16xf32>
  %a = dist.annotate %x sharding = <@m, [S(0), B]> : tensor<8x16xf32>
  // CHECK: dist.reshard %{{.*}} from <@m, [S(0), B]> to <@m, [P(sum), S(1)]> : tensor<8x16xf32>
  %b = dist.reshard %a from <@m, [S(0), B]> to <@m, [P(sum), S(1)]> : tensor<8x16xf32>
  // Both axes split dim 0 (8 = 2 x 4).
  // CHECK: to <@m, [S(0), S(0)]>
  %c = dist.reshard %b from <@m, [P(sum), S(1)]> to <@m, [S(0), S(0)]> : tensor<8x16xf32>
  // CHECK: sharding = <@m, [P(max), B]>
  %d = dist.annotate %c sharding = <@m, [P(max), B]> : tensor<8x16xf32>
  return %d : tensor<8x16xf32>
}

// Every placement kind on a 3-D mesh; partials of one kind may repeat.
// CHECK-LABEL: func.func @placements
func.func @placements(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // CHECK: sharding = <@cube, [S(1), B, S(0)]>
  %a = dist.annotate %x sharding = <@cube, [S(1), B, S(0)]> : tensor<8x16xf32>
  // CHECK: sharding = <@cube, [P(sum), S(0), P(sum)]>
  %b = dist.annotate %a sharding = <@cube, [P(sum), S(0), P(sum)]> : tensor<8x16xf32>
  // CHECK: sharding = <@cube, [B, P(max), P(max)]>
  %c = dist.annotate %b sharding = <@cube, [B, P(max), P(max)]> : tensor<8x16xf32>
  // CHECK: sharding = <@cube, [B, B, B]>
  %d = dist.annotate %c sharding = <@cube, [B, B, B]> : tensor<8x16xf32>
  // All three axes split dim 1 (16 = 2 x 2 x 2 x 2).
  // CHECK: sharding = <@cube, [S(1), S(1), S(1)]>
  %e = dist.annotate %d sharding = <@cube, [S(1), S(1), S(1)]> : tensor<8x16xf32>
  return %e : tensor<8x16xf32>
}

// CHECK-LABEL: func.func @collectives
func.func @collectives(%x: tensor<2x8xf32>, %big: tensor<8x8xf32>) -> tensor<2x8xf32> {
  // CHECK: dist.all_reduce %{{.*}} on @m mesh_axes = [1] kind = sum : tensor<2x8xf32>
  %0 = dist.all_reduce %x on @m mesh_axes = [1] kind = sum : tensor<2x8xf32>
  // CHECK: dist.all_reduce %{{.*}} on @m mesh_axes = [0, 1] kind = max : tensor<2x8xf32>
  %1 = dist.all_reduce %0 on @m mesh_axes = [0, 1] kind = max : tensor<2x8xf32>
  // CHECK: dist.all_gather %{{.*}} on @m mesh_axes = [1] dim = 0 : tensor<2x8xf32> -> tensor<8x8xf32>
  %2 = dist.all_gather %1 on @m mesh_axes = [1] dim = 0 : tensor<2x8xf32> -> tensor<8x8xf32>
  // CHECK: dist.reduce_scatter %{{.*}} on @m mesh_axes = [1] dim = 0 kind = avg : tensor<8x8xf32> -> tensor<2x8xf32>
  %3 = dist.reduce_scatter %big on @m mesh_axes = [1] dim = 0 kind = avg : tensor<8x8xf32> -> tensor<2x8xf32>
  // CHECK: dist.all_to_all %{{.*}} on @m mesh_axes = [1] split_dim = 1 concat_dim = 0 : tensor<2x8xf32> -> tensor<8x2xf32>
  %4 = dist.all_to_all %3 on @m mesh_axes = [1] split_dim = 1 concat_dim = 0 : tensor<2x8xf32> -> tensor<8x2xf32>
  // CHECK: dist.broadcast %{{.*}} on @m mesh_axes = [0] root = 1 : tensor<2x8xf32>
  %5 = dist.broadcast %3 on @m mesh_axes = [0] root = 1 : tensor<2x8xf32>
  return %5 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @point_to_point_and_swap
func.func @point_to_point_and_swap(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: dist.send %{{.*}} to 1 on @line : tensor<4x8xf32>
  dist.send %x to 1 on @line : tensor<4x8xf32>
  // CHECK: dist.send %{{.*}} to 7 on @line tag = 3 : tensor<4x8xf32>
  dist.send %x to 7 on @line tag = 3 : tensor<4x8xf32>
  // CHECK: dist.recv from 0 on @line tag = 3 : tensor<4x8xf32>
  %r = dist.recv from 0 on @line tag = 3 : tensor<4x8xf32>
  // CHECK: %[[H:.*]] = dist.swap_out %{{.*}} : tensor<4x8xf32>
  %h = dist.swap_out %r : tensor<4x8xf32>
  // CHECK: dist.swap_in %[[H]] : !dist.host<tensor<4x8xf32>>
  %y = dist.swap_in %h : !dist.host<tensor<4x8xf32>>
  return %y : tensor<4x8xf32>
}
