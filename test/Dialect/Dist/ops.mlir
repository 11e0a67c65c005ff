// RUN: weft-opt %s | FileCheck %s
// RUN: weft-opt %s | weft-opt | FileCheck %s
// RUN: weft-opt %s --mlir-print-op-generic | weft-opt | FileCheck %s

// CHECK: dist.mesh @m shape = [2, 4] axes = ["dp", "tp"] latency_us = [1.000000e+01, 2.000000e+00] bandwidth_gbps = [2.500000e+01, 4.500000e+02] memory_bytes = 85899345920 flops = 9.890000e+14
dist.mesh @m shape = [2, 4] axes = ["dp", "tp"]
    latency_us = [10.0, 2.0] bandwidth_gbps = [25.0, 450.0]
    memory_bytes = 85899345920 flops = 9.89e14
// CHECK: dist.mesh @line shape = [8] axes = ["x"]{{$}}
dist.mesh @line shape = [8] axes = ["x"]

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
