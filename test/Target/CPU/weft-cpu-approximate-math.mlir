// RUN: weft-opt %s --split-input-file --weft-cpu-approximate-math | FileCheck %s

// f32 transcendentals become straight-line polynomials.
// CHECK-LABEL: func.func @f32
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK:         return
func.func @f32(%x: f32) -> (f32, f32, f32, f32) {
  %0 = math.exp %x : f32
  %1 = math.log %x : f32
  %2 = math.tanh %x : f32
  %3 = math.erf %x : f32
  return %0, %1, %2, %3 : f32, f32, f32, f32
}

// -----

// f64 keeps its math ops (libm calls later), as accurate as numpy's.
// CHECK-LABEL: func.func @negative_f64
// CHECK-NEXT:    math.exp %{{.*}} : f64
// CHECK-NEXT:    math.log %{{.*}} : f64
// CHECK-NEXT:    math.tanh %{{.*}} : f64
// CHECK-NEXT:    math.erf %{{.*}} : f64
// CHECK-NEXT:    return
func.func @negative_f64(%x: f64) -> (f64, f64, f64, f64) {
  %0 = math.exp %x : f64
  %1 = math.log %x : f64
  %2 = math.tanh %x : f64
  %3 = math.erf %x : f64
  return %0, %1, %2, %3 : f64, f64, f64, f64
}
