// MLIR's pass-manager options work through weftc: IR printing after every
// pass, pass statistics and crash reproducers (a reproducer file names the
// pipeline that ran).
// RUN: weftc %s --emit=plan -q --mlir-print-ir-after-all -o /dev/null 2>&1 | FileCheck %s --check-prefix=PRINT
// RUN: weftc %s --emit=plan -q --mlir-pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS
// RUN: weftc %s --emit=plan -q --mlir-timing -o /dev/null 2>&1 | FileCheck %s --check-prefix=TIMING
// PRINT: IR Dump After FuseOpsPass (weft-fuse)
// PRINT: IR Dump After OutlineKernelsPass (weft-outline-kernels)
// PRINT: IR Dump After BuildPlanPass (plan-build)
// PRINT: IR Dump After AssignOffsetsPass (plan-assign-offsets)
// STATS: Pass statistics report
// TIMING: Execution time report
// TIMING: BuildPlanPass
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = weft.relu %x : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
