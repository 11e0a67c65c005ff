// RUN: weft-opt %s --split-input-file --dist-auto-shard="training=true report=-" | FileCheck %s

// Megatron MLP on a 2x4 mesh, axis 0 "dp" (10 us, 12.5 GB/s), axis 1 "tp"
// (1 us, 400 GB/s), 1e13 FLOP/s, training step; x [4096, 512],
// w1 = w2 [512, 512] (parameters).
// Chosen: x S(0) on dp, w1 column-split and w2 row-split on tp.
//  * gradient all_reduce over dp of each weight's local 512x128 f32
//    (T = 262144 B): 2 steps x 10 us + 2(1/2) T / 12.5e9 = 40.97 us, twice;
//  * the result leaves as [S(0), P(sum)]: one all_reduce over tp of the
//    local 2048x512 f32 (T = 4 MiB): 6 x 1 us + 2(3/4) T / 4e11 = 21.73 us.
//  Total 103.7 us. Pure data parallel over all 8 devices instead reduces
//  both full 1 MiB weight gradients over tp (9.9 us each) and dp (103.9 us
//  each): 227.6 us; pure tensor parallel over 8 reduces the 8 MiB
//  activation over dp too (> 187 us).
// CHECK-LABEL: sharding of @main over @mesh 2x4 (dp, tp) (fast search, training step)
// CHECK:       arg0 {{.*}}-> [S(0), B]
// CHECK:       arg1 {{.*}}-> [B, S(1)]
// CHECK:       arg2 {{.*}}-> [B, S(0)]
// CHECK:       weft.matmul [S(0), B], [B, S(1)] -> [S(0), S(1)] {{.*}} all_reduce(dp, 256.0 KiB) [grad]{{$}}
// CHECK:       weft.gelu [S(0), S(1)] -> [S(0), S(1)] {{[0-9.]+}} 0.0{{ *$}}
// CHECK:       weft.matmul [S(0), S(1)], [B, S(0)] -> [S(0), P(sum)] {{.*}} all_reduce(dp, 256.0 KiB) [grad], all_reduce(tp, 4.00 MiB){{$}}
// CHECK:       communication 103.7 us
// CHECK-LABEL: func.func @main
// CHECK:         %[[H:.*]] = weft.matmul %arg0, %arg1 {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>}
// CHECK-NEXT:    %[[G:.*]] = weft.gelu %[[H]] {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>}
// CHECK-NEXT:    %[[Y:.*]] = weft.matmul %[[G]], %arg2 {dist.sharding = #dist.sharding<@mesh, [S(0), P(sum)]>}
// CHECK-NEXT:    %[[R:.*]] = dist.reshard %[[Y]] from <@mesh, [S(0), P(sum)]> to <@mesh, [S(0), B]>
// CHECK-NEXT:    return %[[R]]
dist.mesh @mesh shape = [2, 4] axes = ["dp", "tp"] latency_us = [10.0, 1.0] bandwidth_gbps = [12.5, 400.0] flops = 1.0e13
func.func @main(%x: tensor<4096x512xf32>, %w1: tensor<512x512xf32> {weft.state = "w1"}, %w2: tensor<512x512xf32> {weft.state = "w2"}) -> tensor<4096x512xf32> {
  %h = weft.matmul %x, %w1 : tensor<4096x512xf32>, tensor<512x512xf32> -> tensor<4096x512xf32>
  %g = weft.gelu %h : tensor<4096x512xf32>
  %y = weft.matmul %g, %w2 : tensor<4096x512xf32>, tensor<512x512xf32> -> tensor<4096x512xf32>
  return %y : tensor<4096x512xf32>
}

// -----

// The choice flips with shape. 1-D mesh of 4, 1 us, 10 GB/s, 1e11 FLOP/s,
// training; compute is split 4 ways either way.
// b = 1024, h = 128: data parallel sends the two weight gradients
// (T = 128*128*4 = 64 KiB): 2 x (6 x 1 us + 2(3/4) T / 1e10) = 31.7 us;
// tensor parallel would all-reduce the 1024x128 result (T = 512 KiB):
// 6 us + 2(3/4) T / 1e10 = 84.6 us.
// CHECK-LABEL: sharding of @main over @mesh 4 (d)
// CHECK:       arg0 {{.*}}-> [S(0)]
// CHECK:       arg1 {{.*}}-> [B]
// CHECK:       arg2 {{.*}}-> [B]
// CHECK:       weft.matmul [S(0)], [B] -> [S(0)] {{.*}} all_reduce(d, 64.0 KiB) [grad]{{$}}
// CHECK:       weft.matmul [S(0)], [B] -> [S(0)] {{.*}} all_reduce(d, 64.0 KiB) [grad]{{$}}
// CHECK:       communication 31.7 us
// CHECK-LABEL: func.func @main
// CHECK-NOT:     dist.reshard
// CHECK:         return
dist.mesh @mesh shape = [4] axes = ["d"] latency_us = [1.0] bandwidth_gbps = [10.0] flops = 1.0e11
func.func @main(%x: tensor<1024x128xf32>, %w1: tensor<128x128xf32> {weft.state = "w1"}, %w2: tensor<128x128xf32> {weft.state = "w2"}) -> tensor<1024x128xf32> {
  %h = weft.matmul %x, %w1 : tensor<1024x128xf32>, tensor<128x128xf32> -> tensor<1024x128xf32>
  %g = weft.gelu %h : tensor<1024x128xf32>
  %y = weft.matmul %g, %w2 : tensor<1024x128xf32>, tensor<128x128xf32> -> tensor<1024x128xf32>
  return %y : tensor<1024x128xf32>
}

// -----

// b = 128, h = 1024: data parallel would send two 4 MiB weight gradients:
// 2 x (6 us + 2(3/4) 4 MiB / 1e10) = 1270 us; tensor parallel (w1 column,
// w2 row split) all-reduces the 128x1024 result once (T = 512 KiB): 84.6 us.
// CHECK-LABEL: sharding of @main over @mesh 4 (d)
// CHECK:       arg0 {{.*}}-> [B]
// CHECK:       arg1 {{.*}}-> [S(1)]
// CHECK:       arg2 {{.*}}-> [S(0)]
// CHECK:       weft.matmul [B], [S(1)] -> [S(1)] {{[0-9.]+}} 0.0{{ *$}}
// CHECK:       weft.matmul [S(1)], [S(0)] -> [P(sum)] {{.*}} all_reduce(d, 512.0 KiB){{$}}
// CHECK:       communication 84.6 us
dist.mesh @mesh shape = [4] axes = ["d"] latency_us = [1.0] bandwidth_gbps = [10.0] flops = 1.0e11
func.func @main(%x: tensor<128x1024xf32>, %w1: tensor<1024x1024xf32> {weft.state = "w1"}, %w2: tensor<1024x1024xf32> {weft.state = "w2"}) -> tensor<128x1024xf32> {
  %h = weft.matmul %x, %w1 : tensor<128x1024xf32>, tensor<1024x1024xf32> -> tensor<128x1024xf32>
  %g = weft.gelu %h : tensor<128x1024xf32>
  %y = weft.matmul %g, %w2 : tensor<128x1024xf32>, tensor<1024x1024xf32> -> tensor<128x1024xf32>
  return %y : tensor<128x1024xf32>
}

// -----

// A pinned sharding is kept where the search alone would choose otherwise:
// the b = 128, h = 1024 MLP above picks w1 S(1); pinned to B it stays B and
// the first matmul splits its rows instead.
// CHECK-LABEL: sharding of @main over @mesh 4 (d)
// CHECK:       arg1* {{.*}}-> [B]
// CHECK-LABEL: func.func @main
// CHECK-SAME:    %arg1: tensor<1024x1024xf32> {dist.sharding = #dist.sharding<@mesh, [B]>
dist.mesh @mesh shape = [4] axes = ["d"] latency_us = [1.0] bandwidth_gbps = [10.0] flops = 1.0e11
func.func @main(%x: tensor<128x1024xf32>, %w1: tensor<1024x1024xf32> {weft.state = "w1", dist.sharding = #dist.sharding<@mesh, [B]>}, %w2: tensor<1024x1024xf32> {weft.state = "w2"}) -> tensor<128x1024xf32> {
  %h = weft.matmul %x, %w1 : tensor<128x1024xf32>, tensor<1024x1024xf32> -> tensor<128x1024xf32>
  %g = weft.gelu %h : tensor<128x1024xf32>
  %y = weft.matmul %g, %w2 : tensor<128x1024xf32>, tensor<1024x1024xf32> -> tensor<128x1024xf32>
  return %y : tensor<128x1024xf32>
}

// -----

// Attention block, B = 4, S = 128, H = 512, 16 heads of 32, mesh of 4,
// training: Q, K, V column-split (by head), the per-head ops split on the
// head dim, the output projection row-split, and exactly one all_reduce of
// B*S*H*4 = 1 MiB (6 x 5 us + 2(3/4) 1 MiB / 1e11 = 45.7 us). Data
// parallel would all-reduce four 1 MiB weight gradients (4 x 45.7 us).
// CHECK-LABEL: sharding of @main over @mesh 4 (tp)
// CHECK:       arg1 {{.*}}-> [S(1)]
// CHECK:       arg2 {{.*}}-> [S(1)]
// CHECK:       arg3 {{.*}}-> [S(1)]
// CHECK:       arg4 {{.*}}-> [S(0)]
// CHECK:       weft.reshape [S(1)] -> [S(2)]
// CHECK:       weft.transpose [S(2)] -> [S(1)]
// CHECK:       weft.softmax [S(1)] -> [S(1)]
// CHECK:       weft.matmul [S(1)], [S(0)] -> [P(sum)] {{.*}} all_reduce(tp, 1.00 MiB){{$}}
// CHECK:       communication 45.7 us
// CHECK-LABEL: func.func @main
// CHECK-COUNT-1: dist.reshard
// CHECK-NOT:     dist.reshard
dist.mesh @mesh shape = [4] axes = ["tp"]
func.func @main(%x: tensor<512x512xf32>, %wq: tensor<512x512xf32> {weft.state = "wq"}, %wk: tensor<512x512xf32> {weft.state = "wk"}, %wv: tensor<512x512xf32> {weft.state = "wv"}, %wo: tensor<512x512xf32> {weft.state = "wo"}) -> tensor<512x512xf32> {
  %q = weft.matmul %x, %wq : tensor<512x512xf32>, tensor<512x512xf32> -> tensor<512x512xf32>
  %k = weft.matmul %x, %wk : tensor<512x512xf32>, tensor<512x512xf32> -> tensor<512x512xf32>
  %v = weft.matmul %x, %wv : tensor<512x512xf32>, tensor<512x512xf32> -> tensor<512x512xf32>
  %q4 = weft.reshape %q : tensor<512x512xf32> -> tensor<4x128x16x32xf32>
  %k4 = weft.reshape %k : tensor<512x512xf32> -> tensor<4x128x16x32xf32>
  %v4 = weft.reshape %v : tensor<512x512xf32> -> tensor<4x128x16x32xf32>
  %qh = weft.transpose %q4 perm = [0, 2, 1, 3] : tensor<4x128x16x32xf32> -> tensor<4x16x128x32xf32>
  %kh = weft.transpose %k4 perm = [0, 2, 1, 3] : tensor<4x128x16x32xf32> -> tensor<4x16x128x32xf32>
  %vh = weft.transpose %v4 perm = [0, 2, 1, 3] : tensor<4x128x16x32xf32> -> tensor<4x16x128x32xf32>
  %s = weft.batch_matmul %qh, %kh {transpose_rhs} : tensor<4x16x128x32xf32>, tensor<4x16x128x32xf32> -> tensor<4x16x128x128xf32>
  %p = weft.softmax %s axis = 3 : tensor<4x16x128x128xf32>
  %o = weft.batch_matmul %p, %vh : tensor<4x16x128x128xf32>, tensor<4x16x128x32xf32> -> tensor<4x16x128x32xf32>
  %ot = weft.transpose %o perm = [0, 2, 1, 3] : tensor<4x16x128x32xf32> -> tensor<4x128x16x32xf32>
  %o2 = weft.reshape %ot : tensor<4x128x16x32xf32> -> tensor<512x512xf32>
  %y = weft.matmul %o2, %wo : tensor<512x512xf32>, tensor<512x512xf32> -> tensor<512x512xf32>
  return %y : tensor<512x512xf32>
}

// -----

// Boxing through a pin: x pinned [S(0), S(1)] on 2x4 and the result pinned
// replicated: two all_gathers (upstream MLIR 22's shard emits one, giving
// 8x8 instead of 8x32). Either order sends the same bytes (uniform links:
// axis a first: 1/2 x 256 B + 3/4 x 1 KiB = 896 B; axis b first:
// 3/4 x 512 B + 1/2 x 1 KiB = 896 B); ties go to the lower axis.
// CHECK-LABEL: sharding of @negative_no_compute
// CHECK:       dist.annotate* [B, B] -> [B, B] {{.*}} all_gather(a, 256 B), all_gather(b, 1.0 KiB){{$}}
// CHECK-LABEL: func.func @negative_no_compute
// CHECK:         dist.reshard %arg0 from <@mesh, [S(0), S(1)]> to <@mesh, [B, B]>
dist.mesh @mesh shape = [2, 4] axes = ["a", "b"]
func.func @negative_no_compute(%x: tensor<8x32xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), S(1)]>}) -> tensor<8x32xf32> attributes {weft.entry} {
  %r = dist.annotate %x sharding = <@mesh, [B, B]> : tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// Dim 0 split over both axes (upstream segfaults here) back to replicated:
// the inner axis b must gather first (its chunks are the contiguous ones),
// T = 16/2 x 32 x 4 = 1 KiB, then axis a, T = 2 KiB.
// CHECK-LABEL: sharding of @negative_same_dim
// CHECK:       dist.annotate* [B, B] -> [B, B] {{.*}} all_gather(b, 1.0 KiB), all_gather(a, 2.0 KiB){{$}}
dist.mesh @mesh shape = [2, 4] axes = ["a", "b"]
func.func @negative_same_dim(%x: tensor<16x32xf32> {dist.sharding = #dist.sharding<@mesh, [S(0), S(0)]>}) -> tensor<16x32xf32> attributes {weft.entry} {
  %r = dist.annotate %x sharding = <@mesh, [B, B]> : tensor<16x32xf32>
  return %r : tensor<16x32xf32>
}

// -----

// Gradient-rule ops on a 1-D mesh of 4. embedding_grad splits its row (D)
// and keeps the table rows whole, so no P(sum) table must be all-reduced
// (splitting the index positions would give one); pad splits only its
// unpadded dim.
// CHECK-LABEL: sharding of @main over @mesh 4 (d)
// CHECK:       arg0 {{.*}}-> [S(1)]
// CHECK:       arg1 {{.*}}-> [B]
// CHECK:       arg2 {{.*}}-> [S(0)]
// CHECK:       weft.embedding_grad [S(1)], [B] -> [S(1)] {{[0-9.]+}} 0.0{{ *$}}
// CHECK:       weft.pad [S(0)] -> [S(0)] {{[0-9.]+}} 0.0{{ *$}}
// CHECK:       communication 0.0 us
// CHECK-LABEL: func.func @main
// CHECK-NOT:     dist.reshard
// CHECK:         return
dist.mesh @mesh shape = [4] axes = ["d"] latency_us = [1.0] bandwidth_gbps = [10.0] flops = 1.0e11
func.func @main(%g: tensor<4096x256xf32>, %i: tensor<4096xi64>, %x: tensor<4096x256xf32>) -> (tensor<32000x256xf32>, tensor<4096x260xf32>) {
  %t = weft.embedding_grad %g, %i : tensor<4096x256xf32>, tensor<4096xi64> -> tensor<32000x256xf32>
  %p = weft.pad %x low = [0, 1] high = [0, 3] : tensor<4096x256xf32> -> tensor<4096x260xf32>
  return %t, %p : tensor<32000x256xf32>, tensor<4096x260xf32>
}
