// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=linalg' | FileCheck %s
// Known issue (found while writing weft-cpu-tile-kernels.mlir): a keep_dims
// reduction lowers through tensor.expand_shape views of its input and init
// (a rank-3 linalg.generic); tile-and-fuse leaves those views outside the
// scf.forall, onlyTheLoopComputes does not accept them, and the kernel stays
// serial. So `reduce_max keep_dims -> sub` over 256x1024 (what a hand-written
// softmax looks like) runs on one thread, while the same reduction without
// keep_dims is tiled over rows. Remove the XFAIL once such kernels are tiled.
// XFAIL: *

// CHECK-LABEL: func.func @row_max_sub
// CHECK:       module @weft_kernels
// CHECK:         scf.forall (%{{.*}}) = (0) to (256) step (4)
// CHECK:           arith.maximumf
// CHECK:           arith.subf
// CHECK:           scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
func.func @row_max_sub(%x: tensor<256x1024xf32>) -> tensor<256x1024xf32> attributes {weft.entry} {
  %m = weft.reduce_max %x axes = [1] keep_dims : tensor<256x1024xf32> -> tensor<256x1xf32>
  %s = weft.sub %x, %m : tensor<256x1024xf32>, tensor<256x1xf32>
  return %s : tensor<256x1024xf32>
}
