// The README's sample model stays valid and keeps its shape through the
// passes that exist.
// RUN: weft-opt %S/../../examples/transformer_block.mlir --canonicalize --cse | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK-COUNT-3: weft.matmul
// CHECK:         weft.softmax
// CHECK:         weft.batch_matmul
// CHECK:         weft.matmul
// CHECK:         weft.matmul
// CHECK:         weft.gelu
// CHECK:         weft.matmul
// CHECK:         return {{.*}} : tensor<2x16x64xf32>
