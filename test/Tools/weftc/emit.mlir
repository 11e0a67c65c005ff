// Each --emit stage prints what that stage holds; -h documents every flag.
// RUN: weftc %s --emit=weft -q | FileCheck %s --check-prefix=WEFT
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

// One kernel per op, on memrefs in destination-passing style.
// LINALG-LABEL: func.func @k0(%{{.*}}: memref<4x8xf32>, %{{.*}}: memref<4x8xf32>)
// LINALG:         bufferization.to_tensor
// LINALG:         linalg.generic
// LINALG:         bufferization.materialize_in_destination
// LINALG-LABEL: func.func @k1

// PLAN: plan.program @main device = 0
// PLAN: plan.launch "k0"
// PLAN: plan.launch "k1"

// Each kernel gets a `void weft_<k>(void **)` entry point.
// LLVM: llvm.func internal @k0(
// LLVM: llvm.func @weft_k0(%{{.*}}: !llvm.ptr)
// LLVM:   llvm.call @k0(

// PROGRESS: [weftc] 1 entry, 2 kernels
// PROGRESS: [weftc] @main: 2 commands, arena {{[0-9]+}} bytes (lower bound {{[0-9]+}})
// PROGRESS: [weftc] generating native code

// REPORT: "arena_bytes":
// REPORT: "arena_lower_bound_bytes":
// REPORT: "kind": "launch",
// REPORT: "what": "weft.relu"
// REPORT: "name": "x",

// HELP: --cpu=<string>
// HELP: --emit=<value>
// HELP: --no-blas
// HELP: -o <file>
// HELP: -q
// HELP: --report=<file>
// HELP: --split-input-file
// HELP: --target=<string>
func.func @main(%x: tensor<4x8xf32> {weft.name = "x"}) -> tensor<4x8xf32> {
  %z = weft.constant dense<0.0> : tensor<4x8xf32>
  %a = weft.add %x, %z : tensor<4x8xf32>
  %r = weft.relu %a : tensor<4x8xf32>
  %e = weft.exp %r : tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}
