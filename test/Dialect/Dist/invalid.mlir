// RUN: weft-opt %s --split-input-file --verify-diagnostics

// expected-error @+1 {{'dist.mesh' op needs at least one axis}}
dist.mesh @m shape = [] axes = []

// -----

// expected-error @+1 {{'dist.mesh' op axis 1 has size 0; sizes must be positive}}
dist.mesh @m shape = [2, 0] axes = ["a", "b"]

// -----

// expected-error @+1 {{'dist.mesh' op has 2 axes in its shape but 1 axis names}}
dist.mesh @m shape = [2, 2] axes = ["a"]

// -----

// expected-error @+1 {{'dist.mesh' op axis name 'a' is repeated}}
dist.mesh @m shape = [2, 2] axes = ["a", "a"]

// -----

// expected-error @+1 {{'dist.mesh' op axis names must be non-empty}}
dist.mesh @m shape = [2] axes = [""]

// -----

// expected-error @+1 {{'dist.mesh' op latency_us has 1 entries, one per axis (2) expected}}
dist.mesh @m shape = [2, 2] axes = ["a", "b"] latency_us = [1.0]

// -----

// expected-error @+1 {{'dist.mesh' op bandwidth_gbps values must be positive, got 0}}
dist.mesh @m shape = [2] axes = ["a"] bandwidth_gbps = [0.0]

// -----

// expected-error @+1 {{'dist.mesh' op memory_bytes must be positive, got -1}}
dist.mesh @m shape = [2] axes = ["a"] memory_bytes = -1

// -----

// expected-error @+1 {{'dist.mesh' op flops must be positive}}
dist.mesh @m shape = [2] axes = ["a"] flops = 0.0

// -----

// expected-error @+1 {{'dist.mesh' op memory_bandwidth_gbps must be positive}}
dist.mesh @m shape = [2] axes = ["a"] memory_bandwidth_gbps = 0.0

// -----

// expected-error @+1 {{'dist.mesh' op memory_bandwidth_gbps must be positive}}
dist.mesh @m shape = [2] axes = ["a"] memory_bandwidth_gbps = -5.0

// -----

// expected-error @+1 {{'dist.mesh' op launch_us must be non-negative}}
dist.mesh @m shape = [2] axes = ["a"] launch_us = -1.0

// -----

func.func @negative_unknown_mesh(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.annotate' op refers to @nope, which is not a dist.mesh in scope}}
  %0 = dist.annotate %x sharding = <@nope, [S(0)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2, 2] axes = ["a", "b"]
func.func @negative_placement_count(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.annotate' op sharding #dist.sharding<@m, [S(0)]> has 1 placements but mesh @m has 2 axes}}
  %0 = dist.annotate %x sharding = <@m, [S(0)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
func.func @negative_split_dim_missing(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.annotate' op sharding #dist.sharding<@m, [S(1)]> splits dim 1 but the tensor has rank 1}}
  %0 = dist.annotate %x sharding = <@m, [S(1)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [3] axes = ["a"]
func.func @negative_split_uneven(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.annotate' op sharding #dist.sharding<@m, [S(0)]> splits dim 0 of size 8 into 3 parts, which does not divide evenly}}
  %0 = dist.annotate %x sharding = <@m, [S(0)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [4, 4] axes = ["a", "b"]
func.func @negative_split_uneven_two_axes(%x: tensor<8xf32>) {
  // expected-error @+1 {{splits dim 0 of size 8 into 16 parts, which does not divide evenly}}
  %0 = dist.annotate %x sharding = <@m, [S(0), S(0)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
func.func @negative_bad_placement(%x: tensor<8xf32>) {
  // expected-error @+1 {{expected placement S(dim), B or P(sum|max), got 'X'}}
  %0 = dist.annotate %x sharding = <@m, [X]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
func.func @negative_bad_partial(%x: tensor<8xf32>) {
  // expected-error @+1 {{partial reduction must be 'sum' or 'max', got 'min'}}
  %0 = dist.annotate %x sharding = <@m, [P(min)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
func.func @negative_negative_split(%x: tensor<8xf32>) {
  // expected-error @+1 {{split dim must be non-negative, got -1}}
  %0 = dist.annotate %x sharding = <@m, [S(-1)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2, 2] axes = ["a", "b"]
func.func @negative_mixed_partials(%x: tensor<8xf32>) {
  // expected-error @+1 {{a sharding cannot mix P(sum) and P(max)}}
  %0 = dist.annotate %x sharding = <@m, [P(sum), P(max)]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2, 2, 2] axes = ["a", "b", "c"]
func.func @negative_mixed_partials_reshard(%x: tensor<8xf32>) {
  // expected-error @+1 {{a sharding cannot mix P(sum) and P(max)}}
  %0 = dist.reshard %x from <@m, [P(max), S(0), P(sum)]> to <@m, [B, B, B]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
dist.mesh @n shape = [2] axes = ["a"]
func.func @negative_reshard_meshes(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.reshard' op source mesh @m and target mesh @n differ}}
  %0 = dist.reshard %x from <@m, [S(0)]> to <@n, [B]> : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [16] axes = ["a"]
func.func @negative_reshard_target(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.reshard' op sharding #dist.sharding<@m, [S(0)]> splits dim 0 of size 8 into 16 parts}}
  %0 = dist.reshard %x from <@m, [B]> to <@m, [S(0)]> : tensor<8xf32>
  return
}

// -----

func.func @negative_dynamic(%x: tensor<?xf32>) {
  // expected-error @+1 {{'input' must be statically shaped tensor, but got 'tensor<?xf32>'}}
  %0 = dist.swap_out %x : tensor<?xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
func.func @negative_axis_range(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.all_reduce' op mesh axis 1 is out of range for mesh @m with 1 axes}}
  %0 = dist.all_reduce %x on @m mesh_axes = [1] kind = sum : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2, 2] axes = ["a", "b"]
func.func @negative_axis_repeated(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.all_reduce' op mesh axis 0 is repeated}}
  %0 = dist.all_reduce %x on @m mesh_axes = [0, 0] kind = sum : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
func.func @negative_no_axes(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.broadcast' op needs at least one mesh axis}}
  %0 = dist.broadcast %x on @m mesh_axes = [] root = 0 : tensor<8xf32>
  return
}

// -----

func.func @negative_collective_mesh(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.all_reduce' op refers to @m, which is not a dist.mesh in scope}}
  %0 = dist.all_reduce %x on @m mesh_axes = [0] kind = sum : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_gather_size(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'dist.all_gather' op result dim 0 must be 2 x 4 (group size) = 8, got 4}}
  %0 = dist.all_gather %x on @m mesh_axes = [0] dim = 0 : tensor<2x8xf32> -> tensor<4x8xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_gather_dim(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'dist.all_gather' op dim 2 is out of range [0, 2)}}
  %0 = dist.all_gather %x on @m mesh_axes = [0] dim = 2 : tensor<2x8xf32> -> tensor<8x8xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_gather_other_dim(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'dist.all_gather' op dim 1 differs between input (8) and result (4)}}
  %0 = dist.all_gather %x on @m mesh_axes = [0] dim = 0 : tensor<2x8xf32> -> tensor<8x4xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_gather_rank(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'dist.all_gather' op input and result ranks differ}}
  %0 = dist.all_gather %x on @m mesh_axes = [0] dim = 0 : tensor<2x8xf32> -> tensor<64xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_gather_element_type(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'dist.all_gather' op input and result element types differ}}
  %0 = dist.all_gather %x on @m mesh_axes = [0] dim = 0 : tensor<2x8xf32> -> tensor<8x8xf16>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_reduce_scatter(%x: tensor<6x8xf32>) {
  // expected-error @+1 {{'dist.reduce_scatter' op input dim 0 (6) must be the result's times the group size (1 x 4)}}
  %0 = dist.reduce_scatter %x on @m mesh_axes = [0] dim = 0 kind = sum : tensor<6x8xf32> -> tensor<1x8xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_to_all_divide(%x: tensor<6x8xf32>) {
  // expected-error @+1 {{'dist.all_to_all' op split_dim 0 of size 6 does not divide by the group size 4}}
  %0 = dist.all_to_all %x on @m mesh_axes = [0] split_dim = 0 concat_dim = 1 : tensor<6x8xf32> -> tensor<1x32xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_to_all_result(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'dist.all_to_all' op result type 'tensor<2x8xf32>' does not match the all-to-all of 'tensor<8x8xf32>' over a group of 4}}
  %0 = dist.all_to_all %x on @m mesh_axes = [0] split_dim = 0 concat_dim = 1 : tensor<8x8xf32> -> tensor<2x8xf32>
  return
}

// -----

dist.mesh @m shape = [4] axes = ["a"]
func.func @negative_all_to_all_dim(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{'dist.all_to_all' op concat_dim 3 is out of range [0, 2)}}
  %0 = dist.all_to_all %x on @m mesh_axes = [0] split_dim = 0 concat_dim = 3 : tensor<8x8xf32> -> tensor<2x8xf32>
  return
}

// -----

dist.mesh @m shape = [2, 4] axes = ["a", "b"]
func.func @negative_broadcast_root(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.broadcast' op root 2 is out of range [0, 2) for the group}}
  %0 = dist.broadcast %x on @m mesh_axes = [0] root = 2 : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2, 4] axes = ["a", "b"]
func.func @negative_broadcast_root_negative(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.broadcast' op root -1 is out of range [0, 2) for the group}}
  %0 = dist.broadcast %x on @m mesh_axes = [0] root = -1 : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2, 4] axes = ["a", "b"]
func.func @negative_send_peer(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.send' op peer 8 is out of range [0, 8) for mesh @m}}
  dist.send %x to 8 on @m : tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [2] axes = ["a"]
func.func @negative_recv_peer() {
  // expected-error @+1 {{'dist.recv' op peer -1 is out of range [0, 2) for mesh @m}}
  %0 = dist.recv from -1 on @m : tensor<8xf32>
  return
}

// -----

func.func @negative_swap_in_type(%h: !dist.host<tensor<4xf32>>) {
  // expected-error @+1 {{'dist.swap_in' op failed to verify that result is the tensor the host value holds}}
  %0 = "dist.swap_in"(%h) : (!dist.host<tensor<4xf32>>) -> tensor<8xf32>
  return
}

// -----

// 2^32 x 2^32 devices: the count would wrap to 0 (and a split would divide
// by it); the mesh is rejected instead.
// expected-error @+1 {{'dist.mesh' op device count 4294967296 x 4294967296 overflows int64}}
dist.mesh @m shape = [4294967296, 4294967296] axes = ["a", "b"]
func.func @negative_mesh_overflow(%x: tensor<8xf32>) {
  %0 = dist.annotate %x sharding = <@m, [S(0), S(0)]> : tensor<8xf32>
  return
}

// -----

// expected-error @+1 {{'dist.mesh' op device count 2 x 4611686018427387904 overflows int64}}
dist.mesh @m shape = [2, 4611686018427387904] axes = ["a", "b"]

// -----

dist.mesh @m shape = [4294967296] axes = ["a"]
func.func @negative_all_gather_overflow(%x: tensor<4294967296xf32>) {
  // expected-error @+1 {{'dist.all_gather' op result dim 0 would be 4294967296 x 4294967296 (group size), which overflows int64}}
  %0 = dist.all_gather %x on @m mesh_axes = [0] dim = 0 : tensor<4294967296xf32> -> tensor<8xf32>
  return
}

// -----

dist.mesh @m shape = [4294967296] axes = ["a"]
func.func @negative_reduce_scatter_overflow(%x: tensor<8xf32>) {
  // expected-error @+1 {{'dist.reduce_scatter' op input dim 0 (8) must be the result's times the group size (4294967296 x 4294967296)}}
  %0 = dist.reduce_scatter %x on @m mesh_axes = [0] dim = 0 kind = sum : tensor<8xf32> -> tensor<4294967296xf32>
  return
}

// -----

dist.mesh @m shape = [4294967296] axes = ["a"]
func.func @negative_all_to_all_overflow(%x: tensor<4294967296x4294967296xf32>) {
  // expected-error @+1 {{'dist.all_to_all' op concat_dim 1 of size 4294967296 x 4294967296 (group size) overflows int64}}
  %0 = dist.all_to_all %x on @m mesh_axes = [0] split_dim = 0 concat_dim = 1 : tensor<4294967296x4294967296xf32> -> tensor<1x8xf32>
  return
}
