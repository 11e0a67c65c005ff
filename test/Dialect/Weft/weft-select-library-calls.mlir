// RUN: weft-opt %s --split-input-file --weft-select-library-calls | FileCheck %s

// f32 GEMMs of an entry function are marked, transposed or batched alike.
// CHECK-LABEL: func.func @main
// CHECK:         weft.matmul %{{.*}}, %{{.*}} {weft.library_call = "gemm"} : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
// CHECK:         weft.matmul %{{.*}}, %{{.*}} {transpose_rhs, weft.library_call = "gemm"} : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x4xf32>
// CHECK:         weft.batch_matmul %{{.*}}, %{{.*}} {transpose_rhs, weft.library_call = "gemm"} : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x32xf32>
// Other ops are left alone.
// CHECK:         weft.relu %{{.*}} : tensor<8x4xf32>{{$}}
func.func @main(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>, %w: tensor<4x16xf32>,
                %q: tensor<2x4x16x8xf32>, %k: tensor<2x4x32x8xf32>)
    -> (tensor<8x4xf32>, tensor<8x4xf32>, tensor<2x4x16x32xf32>) {
  %0 = weft.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %1 = weft.matmul %a, %w {transpose_rhs} : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x4xf32>
  %2 = weft.batch_matmul %q, %k {transpose_rhs} : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x32xf32>
  %3 = weft.relu %1 : tensor<8x4xf32>
  return %0, %3, %2 : tensor<8x4xf32>, tensor<8x4xf32>, tensor<2x4x16x32xf32>
}

// -----

// A constant operand is fine: it becomes a weight.
// CHECK-LABEL: func.func @constant_operand
// CHECK:         weft.matmul %{{.*}}, %{{.*}} {weft.library_call = "gemm"}
func.func @constant_operand(%a: tensor<2x2xf32>) -> tensor<2x2xf32> attributes {weft.entry} {
  %w = weft.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = weft.matmul %a, %w : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// negative: no library path for i32, f16, bf16, i8 or f64 GEMMs (f64
// never goes to sgemm).
// CHECK-LABEL: func.func @negative_not_f32
// CHECK-NOT:     weft.library_call
// CHECK:         return
func.func @negative_not_f32(%a: tensor<8x16xi32>, %b: tensor<16x4xi32>,
                            %h: tensor<8x16xf16>, %g: tensor<16x4xf16>,
                            %x: tensor<2x8x16xbf16>, %y: tensor<2x16x4xbf16>,
                            %p: tensor<8x16xi8>, %r: tensor<16x4xi8>,
                            %d: tensor<8x16xf64>, %e: tensor<16x4xf64>,
                            %u: tensor<2x8x16xf64>, %v: tensor<2x16x4xf64>)
    -> (tensor<8x4xi32>, tensor<8x4xf16>, tensor<2x8x4xbf16>, tensor<8x4xi8>,
        tensor<8x4xf64>, tensor<2x8x4xf64>) attributes {weft.entry} {
  %0 = weft.matmul %a, %b : tensor<8x16xi32>, tensor<16x4xi32> -> tensor<8x4xi32>
  %1 = weft.matmul %h, %g : tensor<8x16xf16>, tensor<16x4xf16> -> tensor<8x4xf16>
  %2 = weft.batch_matmul %x, %y : tensor<2x8x16xbf16>, tensor<2x16x4xbf16> -> tensor<2x8x4xbf16>
  %3 = weft.matmul %p, %r : tensor<8x16xi8>, tensor<16x4xi8> -> tensor<8x4xi8>
  %4 = weft.matmul %d, %e : tensor<8x16xf64>, tensor<16x4xf64> -> tensor<8x4xf64>
  %5 = weft.batch_matmul %u, %v : tensor<2x8x16xf64>, tensor<2x16x4xf64> -> tensor<2x8x4xf64>
  return %0, %1, %2, %3, %4, %5 : tensor<8x4xi32>, tensor<8x4xf16>, tensor<2x8x4xbf16>, tensor<8x4xi8>,
                                  tensor<8x4xf64>, tensor<2x8x4xf64>
}

// -----

// negative: an empty product (a zero dimension) is a fill, not a GEMM.
// CHECK-LABEL: func.func @negative_empty
// CHECK-NOT:     weft.library_call
// CHECK:         return
func.func @negative_empty(%a: tensor<8x0xf32>, %b: tensor<0x4xf32>, %c: tensor<0x16xf32>, %d: tensor<16x4xf32>)
    -> (tensor<8x4xf32>, tensor<0x4xf32>) attributes {weft.entry} {
  %0 = weft.matmul %a, %b : tensor<8x0xf32>, tensor<0x4xf32> -> tensor<8x4xf32>
  %1 = weft.matmul %c, %d : tensor<0x16xf32>, tensor<16x4xf32> -> tensor<0x4xf32>
  return %0, %1 : tensor<8x4xf32>, tensor<0x4xf32>
}

// -----

// negative: functions that are not entries (no weft.entry, not @main) are
// not touched.
// CHECK-LABEL: func.func @negative_not_entry
// CHECK-NOT:     weft.library_call
// CHECK:         return
func.func @negative_not_entry(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %0 = weft.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}
