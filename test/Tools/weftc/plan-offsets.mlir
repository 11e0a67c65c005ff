// The offset planner, seen through the plan weftc emits.
// RUN: weftc %s --split-input-file --emit=plan -q --no-fuse --cpu=x86-64-v3 2>&1 | FileCheck %s

// A chain: t1 is dead once t2 is written, so t3 must take t1's bytes and the
// arena is exactly the lower bound (4 buffers of 128 bytes live at once).
// CHECK-LABEL: plan.program @main.dev0 device = 0
// CHECK:         plan.arena @activations kind = device size = 512 {weft.lower_bound = 512 : i64
// CHECK:         plan.buffer @b1 arena = @activations offset = [[T1:[0-9]+]] size = 128 live = [0, 1]
// CHECK:         plan.buffer @b2 arena = @activations offset = {{[0-9]+}} size = 128 live = [1, 2]
// CHECK:         plan.buffer @b3 arena = @activations offset = [[T1]] size = 128 live = [2, 3]
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %t1 = weft.relu %x : tensor<4x8xf32>
  %t2 = weft.exp %t1 : tensor<4x8xf32>
  %t3 = weft.tanh %t2 : tensor<4x8xf32>
  %y = weft.neg %t3 : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// negative: t1 is read again at the end, so it is live while t3 is: t3 must
// not take its bytes (the plan verifier would reject an overlap too).
// CHECK-LABEL: plan.program @main
// CHECK:         plan.buffer @b1 arena = @activations offset = [[T1:[0-9]+]] size = 128 live = [0, 3]
// CHECK-NOT:     offset = [[T1]] size
// CHECK:         plan.buffer @b4
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %t1 = weft.relu %x : tensor<4x8xf32>
  %t2 = weft.exp %t1 : tensor<4x8xf32>
  %t3 = weft.tanh %t2 : tensor<4x8xf32>
  %y = weft.add %t3, %t1 : tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Kernel temporaries (softmax's row max and sum) are scratch buffers the
// planner owns, live for their one step; the matmul is a BLAS library call.
// CHECK-LABEL: plan.program @main
// CHECK:         plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 4, k = 8 stream = @compute ins(@b0, @b1) outs(@b2)
// CHECK:         plan.buffer @b4 arena = @activations offset = {{[0-9]+}} size = 16 live = [1, 1]
// CHECK:         plan.launch "k0" stream = @compute ins(@b2) outs(@b3, @b4, @b5)
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> tensor<4x4xf32> {
  %m = weft.matmul %a, %b : tensor<4x8xf32>, tensor<8x4xf32> -> tensor<4x4xf32>
  %s = weft.softmax %m axis = 1 : tensor<4x4xf32>
  return %s : tensor<4x4xf32>
}

// -----

// A reshape is a view: no kernel, and the output is the relu's own buffer.
// CHECK-LABEL: plan.program @main
// CHECK:         plan.input "arg0" @b0
// CHECK:         plan.launch "k0" stream = @compute ins(@b0) outs(@b1)
// CHECK-NOT:     plan.launch
// CHECK:         plan.output "out0" @b1 : tensor<32xf32>
func.func @main(%x: tensor<4x8xf32>) -> tensor<32xf32> {
  %r = weft.relu %x : tensor<4x8xf32>
  %y = weft.reshape %r : tensor<4x8xf32> -> tensor<32xf32>
  return %y : tensor<32xf32>
}
