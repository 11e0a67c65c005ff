// Each --emit stage prints what that stage holds; -h documents every flag.
// RUN: weftc %s --emit=weft -q | FileCheck %s --check-prefix=WEFT
// RUN: weftc %s --emit=groups -q | FileCheck %s --check-prefix=GROUPS
// RUN: weftc %s --emit=linalg -q | FileCheck %s --check-prefix=LINALG
// RUN: weftc %s --emit=plan -q | FileCheck %s --check-prefix=PLAN
// RUN: weftc %s --emit=llvm -q | FileCheck %s --check-prefix=LLVM
// RUN: weftc %s -o %t.weft --report=%t.json 2>&1 | FileCheck %s --check-prefix=PROGRESS
// RUN: FileCheck %s --check-prefix=REPORT --input-file=%t.json
// RUN: weftc --help | FileCheck %s --check-prefix=HELP

// The canonical weft IR: x + 0 is gone.
// WEFT-LABEL: func.func @main
// WEFT-NOT:     weft.add
// WEFT:         weft.relu

// relu and exp fuse into one kernel group (weft-fuse).
// GROUPS-LABEL: func.func @main
// GROUPS:         weft.group
// GROUPS-NEXT:      weft.relu
// GROUPS-NEXT:      weft.exp
// GROUPS-NEXT:      weft.yield
// GROUPS-NOT:     weft.group

// The entry dispatches outlined kernels: one per group, on memrefs in
// destination-passing style; the fused chain is one linalg.generic.
// LINALG-LABEL: func.func @main
// LINALG:         weft.dispatch @weft_kernels::@k0(%{{.*}}) label = "weft.relu+weft.exp"
// LINALG-NOT:     weft.dispatch
// LINALG-LABEL: module @weft_kernels
// LINALG-LABEL: func.func @k0(%{{.*}}: memref<4x8xf32>, %{{.*}}: memref<4x8xf32>)
// LINALG:         bufferization.to_tensor
// LINALG:         linalg.generic
// LINALG-NOT:     linalg.generic
// LINALG:         bufferization.materialize_in_destination

// PLAN: plan.program @main.dev0 device = 0 attributes {entry = "main"}
// PLAN:   plan.input "x" @[[X:b[0-9]+]] : tensor<4x8xf32>
// PLAN:   plan.launch "k0" stream = @compute ins(@[[X]]) outs(@[[Y:b[0-9]+]])
// PLAN:   plan.output "out0" @[[Y]] : tensor<4x8xf32>

// Each kernel gets a `void weft_<k>(void **, i64, i64)` entry point (a
// 32-element kernel is too small to split: extent 1).
// LLVM: llvm.func internal @k0(
// LLVM: llvm.func @weft_k0(%{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64) attributes {weft.arg_access = array<i64: 1, 2>, weft.arg_bytes = array<i64: 128, 128>, weft.parallel_extent = 1 : i64}
// LLVM:   llvm.call @k0(

// PROGRESS: [weftc] compiling (weft-cpu-pipeline)
// PROGRESS: [weftc] 1 entry, 1 kernel
// PROGRESS: [weftc] @main.dev0: 1 commands, arenas {{[0-9]+}} bytes (lower bound {{[0-9]+}})
// PROGRESS: [weftc] generating native code

// REPORT: "cpu":
// REPORT: "cpu_features":
// REPORT: "name": "x",
// REPORT: "name": "main",
// REPORT: "arena_bytes": 256,
// REPORT: "arena_lower_bound_bytes": 256,
// REPORT: "bytes_between_commands": 0,
// REPORT: "extent": 1,
// REPORT: "kind": "launch",
// REPORT: "what": "weft.relu+weft.exp"
// REPORT: "kernel_launches": 1,

// HELP: --cpu=<string>
// HELP: --emit=<value>
// HELP: =groups
// HELP: --no-blas
// HELP: --no-fuse
// HELP: -o <file>
// HELP: -q
// HELP: --report[=<file>]
// HELP: --split-input-file
// HELP: --target=<string>
func.func @main(%x: tensor<4x8xf32> {weft.name = "x"}) -> tensor<4x8xf32> {
  %z = weft.constant dense<0.0> : tensor<4x8xf32>
  %a = weft.add %x, %z : tensor<4x8xf32>
  %r = weft.relu %a : tensor<4x8xf32>
  %e = weft.exp %r : tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}
