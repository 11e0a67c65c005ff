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

// One kernel group per op.
// GROUPS-LABEL: func.func @main
// GROUPS:         weft.group
// GROUPS:           weft.relu
// GROUPS:         weft.group
// GROUPS:           weft.exp

// The entry dispatches outlined kernels: one per group, on memrefs in
// destination-passing style.
// LINALG-LABEL: func.func @main
// LINALG:         weft.dispatch @weft_kernels::@k0(%{{.*}}) label = "weft.relu"
// LINALG:         weft.dispatch @weft_kernels::@k1(%{{.*}}) label = "weft.exp"
// LINALG-LABEL: module @weft_kernels
// LINALG-LABEL: func.func @k0(%{{.*}}: memref<4x8xf32>, %{{.*}}: memref<4x8xf32>)
// LINALG:         bufferization.to_tensor
// LINALG:         linalg.generic
// LINALG:         bufferization.materialize_in_destination
// LINALG-LABEL: func.func @k1

// PLAN: plan.program @main.dev0 device = 0 attributes {entry = "main"}
// PLAN:   plan.input "x" @[[X:b[0-9]+]] : tensor<4x8xf32>
// PLAN:   plan.launch "k0" stream = @compute ins(@[[X]]) outs(@[[T:b[0-9]+]])
// PLAN:   plan.launch "k1" stream = @compute ins(@[[T]]) outs(@[[Y:b[0-9]+]])
// PLAN:   plan.output "out0" @[[Y]] : tensor<4x8xf32>

// Each kernel gets a `void weft_<k>(void **)` entry point.
// LLVM: llvm.func internal @k0(
// LLVM: llvm.func @weft_k0(%{{.*}}: !llvm.ptr) attributes {weft.arg_access = array<i64: 1, 2>, weft.arg_bytes = array<i64: 128, 128>}
// LLVM:   llvm.call @k0(

// PROGRESS: [weftc] compiling (weft-cpu-pipeline)
// PROGRESS: [weftc] 1 entry, 2 kernels
// PROGRESS: [weftc] @main.dev0: 2 commands, arenas {{[0-9]+}} bytes (lower bound {{[0-9]+}})
// PROGRESS: [weftc] generating native code

// REPORT: "cpu":
// REPORT: "cpu_features":
// REPORT: "name": "x",
// REPORT: "name": "main",
// REPORT: "arena_bytes": 384,
// REPORT: "arena_lower_bound_bytes": 384,
// REPORT: "kind": "launch",
// REPORT: "what": "weft.relu"

// HELP: --cpu=<string>
// HELP: --emit=<value>
// HELP: =groups
// HELP: --no-blas
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
