// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=plan' | FileCheck %s

// weft-cpu-parallelize runs on the bufferized kernels (after
// weft-cpu-tile-kernels and one-shot-bufferize, before
// weft-cpu-hoist-scratch); stop-after=plan shows its result and the
// plan.launch that carries the extent.

// softmax over 64x512: a kernel that is one forall of 16 tiles of 4 rows.
// It gets the range [begin, end) as two trailing index arguments and
// extent 16; the forall becomes an scf.for from begin to min(end, 16), the
// tile's row offset 4 * i; the per-tile temporaries (row max, row sums, the
// 4x512 exponentials) are stack memory (memref.alloca), not scratch
// arguments; the launch says extent = 16.
// CHECK-LABEL: func.func @softmax
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%[[IN:[^:]*]]: memref<64x512xf32>, %[[OUT:[^:]*]]: memref<64x512xf32>, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index)
// CHECK-SAME:        weft.arg_bytes = array<i64: 131072, 131072>
// CHECK-SAME:        weft.parallel_extent = 16 : i64
// CHECK-DAG:       memref.alloca() {alignment = 64 : i64} : memref<4xf32>
// CHECK-DAG:       memref.alloca() {alignment = 64 : i64} : memref<4x512xf32>
// CHECK-DAG:       %[[ONE:.*]] = arith.constant 1 : index
// CHECK-DAG:       %[[N:.*]] = arith.constant 16 : index
// CHECK:           %[[LAST:.*]] = arith.minsi %[[END]], %[[N]] : index
// CHECK-NEXT:      scf.for %[[T:.*]] = %[[BEGIN]] to %[[LAST]] step %[[ONE]] {
// CHECK-NEXT:        %[[ROW:.*]] = affine.apply #{{.*}}(%[[T]])
// CHECK-NEXT:        memref.subview %[[IN]][%[[ROW]], 0] [4, 512] [1, 1]
// CHECK-NOT:         memref.alloc
// CHECK-NOT:         scf.forall
// CHECK:             memref.subview %[[OUT]][%[[ROW]], 0] [4, 512] [1, 1]
// CHECK:           return
// CHECK:       plan.program @softmax.dev0
// CHECK:         plan.launch "k0" stream = @compute ins(@{{.*}}) outs(@{{.*}}) extent = 16 {weft.label = "weft.softmax"}
func.func @softmax(%x: tensor<64x512xf32>) -> tensor<64x512xf32> attributes {weft.entry} {
  %s = weft.softmax %x axis = 1 : tensor<64x512xf32>
  return %s : tensor<64x512xf32>
}

// -----

// A 2-d tiling (2 rows x 32 column tiles of 2048): the tile indices are
// delinearized from the one range index.
// CHECK-LABEL: func.func @two_d_tiles
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%[[IN:[^:]*]]: memref<2x65536xf32>, %{{[^:]*}}: memref<2x65536xf32>, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index)
// CHECK-SAME:        weft.parallel_extent = 64 : i64
// CHECK:           %[[LAST:.*]] = arith.minsi %[[END]], %{{.*}} : index
// CHECK-NEXT:      scf.for %[[T:.*]] = %[[BEGIN]] to %[[LAST]] step
// CHECK-NEXT:        %[[IJ:.*]]:2 = affine.delinearize_index %[[T]] into (2, 32) : index, index
// CHECK-NEXT:        %[[I:.*]] = affine.apply #{{.*}}(%[[IJ]]#0)
// CHECK-NEXT:        %[[J:.*]] = affine.apply #{{.*}}(%[[IJ]]#1)
// CHECK-NEXT:        memref.subview %[[IN]][%[[I]], %[[J]]] [1, 2048] [1, 1]
// CHECK:       plan.program @two_d_tiles.dev0
// CHECK:         plan.launch "k0" {{.*}} extent = 64 {weft.label = "weft.exp"}
func.func @two_d_tiles(%x: tensor<2x65536xf32>) -> tensor<2x65536xf32> attributes {weft.entry} {
  %e = weft.exp %x : tensor<2x65536xf32>
  return %e : tensor<2x65536xf32>
}

// -----

// negative: a kernel too small to tile is serial: the range arguments are
// there but unused, extent 1, and the launch carries no extent.
// CHECK-LABEL: func.func @negative_serial
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%{{[^:]*}}: memref<4x8xf32>, %{{[^:]*}}: memref<8xf32>, %{{[^:]*}}: memref<4x8xf32>, %[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index)
// CHECK-SAME:        weft.parallel_extent = 1 : i64
// CHECK-NOT:       %[[BEGIN]]{{[^0-9]}}
// CHECK-NOT:       %[[END]]{{[^0-9]}}
// CHECK-NOT:       scf.for
// CHECK:           linalg.generic
// CHECK-NOT:       %[[BEGIN]]{{[^0-9]}}
// CHECK-NOT:       %[[END]]{{[^0-9]}}
// CHECK:           return
// CHECK:       plan.program @negative_serial.dev0
// CHECK-NOT:     extent =
// CHECK:         plan.launch "k0" stream = @compute ins(@{{.*}}, @{{.*}}) outs(@{{.*}}) {weft.label = "weft.add+weft.gelu"}
// CHECK-NOT:     extent =
// CHECK:         plan.output
func.func @negative_serial(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> attributes {weft.entry} {
  %a = weft.add %x, %b : tensor<4x8xf32>, tensor<8xf32>
  %g = weft.gelu %a : tensor<4x8xf32>
  return %g : tensor<4x8xf32>
}

// -----

// negative: a softmax over rows of 524288 is tiled (2 tiles of one row), but
// one tile's exponentials take 2 MiB, over the 1 MiB a thread's stack may
// hold: the kernel is serial. The forall is a plain loop over both rows
// (from 0 to 2, not over the range, which stays unused), and its temporaries
// are hoisted and become scratch arguments (placed by the plan: no alloca).
// CHECK-LABEL: func.func @negative_stack_too_big
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%{{[^:]*}}: memref<2x524288xf32>, %{{[^:]*}}: memref<2x524288xf32>, {{.*}}%[[TMP:[^:]*]]: memref<1x524288xf32>, {{.*}}%[[BEGIN:[^:]*]]: index, %[[END:[^:]*]]: index)
// CHECK-SAME:        weft.parallel_extent = 1 : i64
// CHECK-NOT:       memref.alloca
// CHECK-DAG:       %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG:       %[[TWO:.*]] = arith.constant 2 : index
// CHECK:           scf.for %{{.*}} = %[[ZERO]] to %[[TWO]] step
// CHECK-NOT:       memref.alloc
// CHECK:             outs(%[[TMP]] : memref<1x524288xf32>)
// CHECK-NOT:       %[[BEGIN]]{{[^0-9]}}
// CHECK-NOT:       %[[END]]{{[^0-9]}}
// CHECK:           return
// CHECK:       plan.program @negative_stack_too_big.dev0
// CHECK-NOT:     extent =
// CHECK:         plan.launch "k0" stream = @compute ins(@{{.*}}) outs({{.*}}) {weft.label = "weft.softmax"}
func.func @negative_stack_too_big(%x: tensor<2x524288xf32>) -> tensor<2x524288xf32> attributes {weft.entry} {
  %s = weft.softmax %x axis = 1 : tensor<2x524288xf32>
  return %s : tensor<2x524288xf32>
}
