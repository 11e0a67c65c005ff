// RUN: weft-opt %s --split-input-file --weft-cpu-hoist-scratch --verify-diagnostics | FileCheck %s

// Static temporaries at the top of a kernel become trailing scratch
// arguments (access 3: read and write); deallocations go away, copies
// become linalg.copy. Inputs are read (1), outputs written (2); sizes are
// in bytes.
// CHECK-LABEL: func.func @k0
// CHECK-SAME:    (%[[IN:[^:]*]]: memref<8xf32>, %[[OUT:[^:]*]]: memref<8xf32>, %[[T:[^:]*]]: memref<8xf32>, %[[S:[^:]*]]: memref<2x3xi8>)
// CHECK-SAME:    attributes {weft.arg_access = array<i64: 1, 2, 3, 3>, weft.arg_bytes = array<i64: 32, 32, 32, 6>, weft.num_inputs = 1 : i64}
// CHECK-NOT:     memref.alloc
// CHECK:         linalg.copy ins(%[[IN]] : memref<8xf32>) outs(%[[T]] : memref<8xf32>)
// CHECK-NEXT:    linalg.fill ins(%{{.*}} : i8) outs(%[[S]] : memref<2x3xi8>)
// CHECK-NEXT:    linalg.copy ins(%[[T]] : memref<8xf32>) outs(%[[OUT]] : memref<8xf32>)
// CHECK-NOT:     memref.copy
// CHECK-NOT:     memref.dealloc
// CHECK:         return
func.func @k0(%in: memref<8xf32>, %out: memref<8xf32>) attributes {weft.num_inputs = 1 : i64} {
  %c = arith.constant 0 : i8
  %t = memref.alloc() : memref<8xf32>
  %s = memref.alloc() {alignment = 64 : i64} : memref<2x3xi8>
  memref.copy %in, %t : memref<8xf32> to memref<8xf32>
  linalg.fill ins(%c : i8) outs(%s : memref<2x3xi8>)
  memref.copy %t, %out : memref<8xf32> to memref<8xf32>
  memref.dealloc %t : memref<8xf32>
  memref.dealloc %s : memref<2x3xi8>
  return
}

// -----

// Without temporaries only the sizes and access are recorded; an empty
// memref still takes one byte (every buffer has an address of its own).
// CHECK-LABEL: func.func @no_scratch
// CHECK-SAME:    (%{{.*}}: memref<0xf32>, %{{.*}}: memref<4xf16>)
// CHECK-SAME:    attributes {weft.arg_access = array<i64: 1, 2>, weft.arg_bytes = array<i64: 1, 8>, weft.num_inputs = 1 : i64}
func.func @no_scratch(%in: memref<0xf32>, %out: memref<4xf16>) attributes {weft.num_inputs = 1 : i64} {
  return
}

// -----

// A view copied onto itself (an in-place row update in a loop, as
// embedding_grad's scatter-add bufferizes) is dropped, not a linalg.copy.
// CHECK-LABEL: func.func @self_copy
// CHECK:         scf.for
// CHECK:           linalg.fill
// CHECK-NOT:       linalg.copy
// CHECK-NOT:       memref.copy
// CHECK:         return
func.func @self_copy(%in: memref<4xi64>, %out: memref<4x8xf32>) attributes {weft.num_inputs = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %in[%i] : memref<4xi64>
    %r = arith.index_cast %v : i64 to index
    %row = memref.subview %out[%r, 0] [1, 8] [1, 1] : memref<4x8xf32> to memref<8xf32, strided<[1], offset: ?>>
    linalg.fill ins(%one : f32) outs(%row : memref<8xf32, strided<[1], offset: ?>>)
    memref.copy %row, %row : memref<8xf32, strided<[1], offset: ?>> to memref<8xf32, strided<[1], offset: ?>>
  }
  return
}

// -----

// negative: a temporary inside a loop cannot be planned statically.
func.func @negative_alloc_in_loop(%in: memref<8xf32>, %out: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    // expected-error @+1 {{kernel @negative_alloc_in_loop needs a temporary of dynamic size or inside a loop; it cannot be planned statically}}
    %t = memref.alloc() : memref<8xf32>
    memref.copy %in, %t : memref<8xf32> to memref<8xf32>
  }
  return
}

// -----

func.func @negative_dynamic_alloc(%in: memref<8xf32>, %n: index) {
  // expected-error @+1 {{kernel @negative_dynamic_alloc needs a temporary of dynamic size or inside a loop; it cannot be planned statically}}
  %t = memref.alloc(%n) : memref<?xf32>
  return
}

// -----

func.func @negative_strided_alloc(%in: memref<8xf32>) {
  // expected-error @+1 {{kernel @negative_strided_alloc needs a temporary of dynamic size or inside a loop; it cannot be planned statically}}
  %t = memref.alloc() : memref<8xf32, strided<[2]>>
  return
}

// -----

// expected-error @+1 {{kernel @negative_dynamic_argument argument #0 of type 'memref<?xf32>' has no static size that fits in 64 bits}}
func.func @negative_dynamic_argument(%in: memref<?xf32>) {
  return
}

// -----

// expected-error @+1 {{kernel @negative_huge_scratch argument #1 of type 'memref<4294967296x4294967296xf32>' has no static size that fits in 64 bits}}
func.func @negative_huge_scratch(%in: memref<8xf32>) {
  %t = memref.alloc() : memref<4294967296x4294967296xf32>
  return
}

// -----

// A function declaration in the kernel module is left alone.
// CHECK-LABEL: func.func private @negative_declaration(memref<8xf32>)
// CHECK-NOT:     weft.arg_bytes
func.func private @negative_declaration(memref<8xf32>)
