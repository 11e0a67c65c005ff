// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=linalg vector-bits=256' | FileCheck %s
// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=linalg blas=0' | FileCheck %s --check-prefix=NOBLAS

// weft-cpu-tile-kernels runs inside the pipeline, after convert-weft-to-linalg
// and linalg-fuse-elementwise-ops; stop-after=linalg shows its result (the
// kernels on tensors, before bufferization). Tile sizes aim at 64 tiles of at
// least 2048 points and divide the tiled loops.

// softmax over 64x512 (32768 points: 16 tiles of 4 rows). The row max, the
// exponentials, the row sums and the division all happen inside the one
// loop; nothing computes outside it.
// CHECK-LABEL: func.func @softmax
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%[[IN:.*]]: memref<64x512xf32>, %[[OUT:.*]]: memref<64x512xf32>)
// CHECK-NOT:       linalg.generic
// CHECK:           %[[R:.*]] = scf.forall (%[[I:.*]]) = (0) to (64) step (4) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<64x512xf32>) {
// CHECK:             tensor.extract_slice %{{.*}}[%[[I]], 0] [4, 512] [1, 1] : tensor<64x512xf32> to tensor<4x512xf32>
// CHECK:             linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x512xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:             arith.maximumf
// CHECK:             linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}{{.*}} outs(%{{.*}} : tensor<4x512xf32>)
// CHECK:             math.exp
// CHECK:             linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x512xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:             arith.addf
// CHECK:             linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}{{.*}} outs(%{{.*}} : tensor<4x512xf32>)
// CHECK:             arith.divf
// CHECK:             scf.forall.in_parallel {
// CHECK-NEXT:          tensor.parallel_insert_slice %{{.*}} into %{{.*}}[%[[I]], 0] [4, 512] [1, 1]
// CHECK-NEXT:        }
// CHECK-NEXT:      }
// CHECK-NOT:       linalg.generic
// CHECK-NOT:       scf.forall
// CHECK:           bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT]]
// CHECK-NEXT:      return
func.func @softmax(%x: tensor<64x512xf32>) -> tensor<64x512xf32> attributes {weft.entry} {
  %s = weft.softmax %x axis = 1 : tensor<64x512xf32>
  return %s : tensor<64x512xf32>
}

// -----

// bias + GELU over 256x1024: one loop over rows, 64 tiles of 4 rows; the
// bias is read whole by every tile.
// CHECK-LABEL: func.func @bias_gelu
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%{{.*}}: memref<256x1024xf32>, %{{.*}}: memref<1024xf32>, %[[OUT:.*]]: memref<256x1024xf32>)
// CHECK:           %[[B:.*]] = bufferization.to_tensor %{{.*}} : memref<1024xf32> to tensor<1024xf32>
// CHECK-NOT:       linalg.generic
// CHECK:           %[[R:.*]] = scf.forall (%[[I:.*]]) = (0) to (256) step (4) shared_outs
// CHECK:             linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %[[B]] : tensor<4x1024xf32>, tensor<1024xf32>)
// CHECK:             math.erf
// CHECK:             tensor.parallel_insert_slice %{{.*}}[%[[I]], 0] [4, 1024] [1, 1]
// CHECK-NOT:       linalg.generic
// CHECK-NOT:       scf.forall
// CHECK:           bufferization.materialize_in_destination %[[R]] in restrict writable %[[OUT]]
func.func @bias_gelu(%x: tensor<256x1024xf32>, %b: tensor<1024xf32>) -> tensor<256x1024xf32> attributes {weft.entry} {
  %a = weft.add %x, %b : tensor<256x1024xf32>, tensor<1024xf32>
  %g = weft.gelu %a : tensor<256x1024xf32>
  return %g : tensor<256x1024xf32>
}

// -----

// A kernel with two results (sibling fusion): one loop writing both.
// CHECK-LABEL: func.func @two_results
// CHECK:       module @weft_kernels
// CHECK:           %[[R:.*]]:2 = scf.forall (%[[I:.*]]) = (0) to (256) step (4) shared_outs(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<256x1024xf32>, tensor<256x1024xf32>)
// CHECK:             math.exp
// CHECK:             math.tanh
// CHECK:             scf.forall.in_parallel {
// CHECK-NEXT:          tensor.parallel_insert_slice %{{.*}}[%[[I]], 0] [4, 1024] [1, 1]
// CHECK-NEXT:          tensor.parallel_insert_slice %{{.*}}[%[[I]], 0] [4, 1024] [1, 1]
// CHECK-NEXT:        }
// CHECK-NOT:       scf.forall
// CHECK-DAG:       bufferization.materialize_in_destination %[[R]]#0
// CHECK-DAG:       bufferization.materialize_in_destination %[[R]]#1
func.func @two_results(%x: tensor<256x1024xf32>) -> (tensor<256x1024xf32>, tensor<256x1024xf32>) attributes {weft.entry} {
  %e = weft.exp %x : tensor<256x1024xf32>
  %t = weft.tanh %x : tensor<256x1024xf32>
  return %e, %t : tensor<256x1024xf32>, tensor<256x1024xf32>
}

// -----

// Column sums alone (a reduction over the leading dim): the parallel loop is
// the column loop, 64 tiles of 16 columns, each summing all 256 rows of its
// columns.
// CHECK-LABEL: func.func @column_sums
// CHECK:       module @weft_kernels
// CHECK:           scf.forall (%[[J:.*]]) = (0) to (1024) step (16)
// CHECK:             tensor.extract_slice %{{.*}}[0, %[[J]]] [256, 16] [1, 1] : tensor<256x1024xf32> to tensor<256x16xf32>
// CHECK:             linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<256x16xf32>) outs(%{{.*}} : tensor<16xf32>)
// CHECK:             tensor.parallel_insert_slice %{{.*}}[%[[J]]] [16] [1]
// CHECK-NOT:       linalg.generic
func.func @column_sums(%x: tensor<256x1024xf32>) -> tensor<1024xf32> attributes {weft.entry} {
  %s = weft.reduce_sum %x axes = [0] : tensor<256x1024xf32> -> tensor<1024xf32>
  return %s : tensor<1024xf32>
}

// -----

// negative: column sums broadcast back along the LEADING dim, in one kernel
// (grouped by hand: weft-fuse keeps these apart by its producer-consumer
// rule). Tiling the add's rows would have every tile recompute all the
// column sums (the reduction's slice does not move with the tile index), so
// the pass rejects that tiling, and with it every tiling (it only tiles the
// leading parallel loops); the kernel stays serial: both generics at the top
// of the kernel, the sums computed once, then added to every row. (Tiling
// the columns of both would be legal: a missed opportunity, not a wrong
// result.)
// CHECK-LABEL: func.func @negative_leading_broadcast
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(%[[IN:.*]]: memref<256x1024xf32>, %[[OUT:.*]]: memref<256x1024xf32>)
// CHECK-NOT:       scf.forall
// CHECK:           %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<256x1024xf32>) outs(%{{.*}} : tensor<1024xf32>)
// CHECK:           %[[A:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %[[S]] : tensor<256x1024xf32>, tensor<1024xf32>) outs(%{{.*}} : tensor<256x1024xf32>)
// CHECK-NOT:       scf.forall
// CHECK:           bufferization.materialize_in_destination %[[A]] in restrict writable %[[OUT]]
func.func @negative_leading_broadcast(%x: tensor<256x1024xf32>) -> tensor<256x1024xf32> attributes {weft.entry} {
  %0 = weft.group -> tensor<256x1024xf32> {
    %s = weft.reduce_sum %x axes = [0] : tensor<256x1024xf32> -> tensor<1024xf32>
    %a = weft.add %x, %s : tensor<256x1024xf32>, tensor<1024xf32>
    weft.yield %a : tensor<256x1024xf32>
  }
  return %0 : tensor<256x1024xf32>
}

// -----

// negative: a 4x8 kernel (32 points) is too small to split: no loop.
// CHECK-LABEL: func.func @negative_small
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(
// CHECK-NOT:       scf.forall
// CHECK:           linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>)
// CHECK-NOT:       scf.forall
// CHECK:           return
func.func @negative_small(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> attributes {weft.entry} {
  %a = weft.add %x, %b : tensor<4x8xf32>, tensor<8xf32>
  %g = weft.gelu %a : tensor<4x8xf32>
  return %g : tensor<4x8xf32>
}

// -----

// negative: a kernel with a generated matmul (blas=0) is left to the GEMM
// code generator (weft-cpu-tile-contractions): its one loop is that pass's
// panels of register tiles with the epilogue fused, not this pass's rows.
// With BLAS (the default) the matmul is a library call and its epilogue, a
// kernel of its own, is tiled here.
// NOBLAS-LABEL: func.func @negative_contraction
// NOBLAS:       module @weft_kernels
// NOBLAS:         func.func @k0(
// NOBLAS:           scf.forall
// NOBLAS:             vector.fma
// NOBLAS-NOT:       scf.forall (
// NOBLAS:           return
// CHECK-LABEL: func.func @negative_contraction
// CHECK:         weft.matmul {{.*}} {weft.library_call = "gemm"}
// CHECK:       module @weft_kernels
// CHECK:         func.func @k0(
// CHECK-NOT:       iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:           scf.forall (%{{.*}}) = (0) to (256) step (8)
func.func @negative_contraction(%x: tensor<256x256xf32>, %w: tensor<256x256xf32>, %b: tensor<256xf32>) -> tensor<256x256xf32> attributes {weft.entry} {
  %m = weft.matmul %x, %w : tensor<256x256xf32>, tensor<256x256xf32> -> tensor<256x256xf32>
  %a = weft.add %m, %b : tensor<256x256xf32>, tensor<256xf32>
  %r = weft.relu %a : tensor<256x256xf32>
  return %r : tensor<256x256xf32>
}
