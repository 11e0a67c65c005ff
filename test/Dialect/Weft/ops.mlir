// RUN: weft-opt %s | FileCheck %s
// RUN: weft-opt %s | weft-opt | FileCheck %s
// RUN: weft-opt %s --mlir-print-op-generic | weft-opt | FileCheck %s

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<4x8xf32>, %b: tensor<8xf32>, %i: tensor<4x8xi32>) -> tensor<4x8xf32> {
  // CHECK: weft.neg %{{.*}} : tensor<4x8xf32>
  %0 = weft.neg %x : tensor<4x8xf32>
  // CHECK: weft.abs %{{.*}} : tensor<4x8xi32>
  %1 = weft.abs %i : tensor<4x8xi32>
  // CHECK: weft.exp
  %2 = weft.exp %0 : tensor<4x8xf32>
  // CHECK: weft.log
  %3 = weft.log %2 : tensor<4x8xf32>
  // CHECK: weft.sqrt
  %4 = weft.sqrt %3 : tensor<4x8xf32>
  // CHECK: weft.rsqrt
  %5 = weft.rsqrt %4 : tensor<4x8xf32>
  // CHECK: weft.tanh
  %6 = weft.tanh %5 : tensor<4x8xf32>
  // CHECK: weft.sigmoid
  %7 = weft.sigmoid %6 : tensor<4x8xf32>
  // CHECK: weft.relu %{{.*}} : tensor<4x8xi32>
  %8 = weft.relu %1 : tensor<4x8xi32>
  // CHECK: weft.silu
  %9 = weft.silu %7 : tensor<4x8xf32>
  // CHECK: weft.gelu %{{.*}} : tensor<4x8xf32>
  %10 = weft.gelu %9 : tensor<4x8xf32>
  // CHECK: weft.gelu %{{.*}} {approximate} : tensor<4x8xf32>
  %11 = weft.gelu %10 {approximate} : tensor<4x8xf32>
  // CHECK: weft.add %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>
  %12 = weft.add %11, %b : tensor<4x8xf32>, tensor<8xf32>
  // CHECK: weft.sub %{{.*}}, %{{.*}} : tensor<4x8xf32>{{$}}
  %13 = weft.sub %12, %x : tensor<4x8xf32>
  // CHECK: weft.mul
  %14 = weft.mul %13, %x : tensor<4x8xf32>
  // CHECK: weft.div
  %15 = weft.div %14, %x : tensor<4x8xf32>
  // CHECK: weft.max
  %16 = weft.max %15, %b : tensor<4x8xf32>, tensor<8xf32>
  // CHECK: weft.min
  %17 = weft.min %16, %x : tensor<4x8xf32>
  // CHECK: weft.pow
  %18 = weft.pow %17, %x : tensor<4x8xf32>
  return %18 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @broadcast_both_sides
func.func @broadcast_both_sides(%a: tensor<4x1xf32>, %b: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // CHECK: weft.add %{{.*}}, %{{.*}} : tensor<4x1xf32>, tensor<1x8xf32>
  %0 = weft.add %a, %b : tensor<4x1xf32>, tensor<1x8xf32>
  return %0 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @element_types
func.func @element_types(%h: tensor<4xf16>, %bf: tensor<4xbf16>, %q: tensor<4xi8>, %l: tensor<4xi64>)
    -> (tensor<4xf16>, tensor<4xbf16>, tensor<4xi8>, tensor<4xi64>) {
  %0 = weft.add %h, %h : tensor<4xf16>
  %1 = weft.mul %bf, %bf : tensor<4xbf16>
  %2 = weft.add %q, %q : tensor<4xi8>
  %3 = weft.sub %l, %l : tensor<4xi64>
  // CHECK: weft.cast %{{.*}} : tensor<4xf16> -> tensor<4xf32>
  %4 = weft.cast %0 : tensor<4xf16> -> tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf16>, tensor<4xbf16>, tensor<4xi8>, tensor<4xi64>
}

// CHECK-LABEL: func.func @f64
func.func @f64(%x: tensor<4x8xf64>, %w: tensor<8x2xf64>, %g: tensor<8xf64>) -> (tensor<4x2xf64>, tensor<4x8xf32>) {
  // CHECK: %[[E:.*]] = weft.exp %{{.*}} : tensor<4x8xf64>
  %0 = weft.exp %x : tensor<4x8xf64>
  // CHECK: %[[N:.*]] = weft.rms_norm %[[E]], %{{.*}} {epsilon = 1.000000e-03 : f32} : tensor<4x8xf64>, tensor<8xf64>
  %1 = weft.rms_norm %0, %g {epsilon = 1.0e-3 : f32} : tensor<4x8xf64>, tensor<8xf64>
  // CHECK: weft.matmul %[[N]], %{{.*}} : tensor<4x8xf64>, tensor<8x2xf64> -> tensor<4x2xf64>
  %2 = weft.matmul %1, %w : tensor<4x8xf64>, tensor<8x2xf64> -> tensor<4x2xf64>
  // CHECK: weft.cast %[[N]] : tensor<4x8xf64> -> tensor<4x8xf32>
  %3 = weft.cast %1 : tensor<4x8xf64> -> tensor<4x8xf32>
  return %2, %3 : tensor<4x2xf64>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>, %w: tensor<4x16xf32>,
                        %q: tensor<2x4x16x8xf32>, %k: tensor<2x4x32x8xf32>) -> tensor<2x4x16x32xf32> {
  // CHECK: weft.matmul %{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  %0 = weft.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  // CHECK: weft.matmul %{{.*}}, %{{.*}} {transpose_rhs} : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x4xf32>
  %1 = weft.matmul %a, %w {transpose_rhs} : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x4xf32>
  // CHECK: weft.matmul {{.*}} {transpose_lhs} : tensor<8x16xf32>, tensor<8x4xf32> -> tensor<16x4xf32>
  %2 = weft.matmul %a, %0 {transpose_lhs} : tensor<8x16xf32>, tensor<8x4xf32> -> tensor<16x4xf32>
  // CHECK: weft.batch_matmul {{.*}} {transpose_rhs} : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x32xf32>
  %3 = weft.batch_matmul %q, %k {transpose_rhs} : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32> -> tensor<2x4x16x32xf32>
  return %3 : tensor<2x4x16x32xf32>
}

// CHECK-LABEL: func.func @conv_and_pool
func.func @conv_and_pool(%x: tensor<1x3x32x32xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>,
                         %dw: tensor<8x1x3x3xf32>) -> tensor<1x8x8x8xf32> {
  // CHECK: weft.conv2d %{{.*}}, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32> -> tensor<1x8x16x16xf32>
  %0 = weft.conv2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32> -> tensor<1x8x16x16xf32>
  // CHECK: weft.conv2d %{{.*}}, %{{.*}} : tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x30x30xf32>
  %1 = weft.conv2d %x, %w : tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x30x30xf32>
  // Depthwise: 8 groups of one channel each, dilation 2.
  // CHECK: weft.conv2d {{.*}}groups = 8
  %2 = weft.conv2d %0, %dw {groups = 8, dilations = array<i64: 2, 2>}
      : tensor<1x8x16x16xf32>, tensor<8x1x3x3xf32> -> tensor<1x8x12x12xf32>
  // CHECK: weft.max_pool2d %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  %3 = weft.max_pool2d %0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  // CHECK: weft.avg_pool2d
  %4 = weft.avg_pool2d %0 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 0, 0>}
      : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
  return %4 : tensor<1x8x8x8xf32>
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<4x8x16xf32>) -> (tensor<8xf32>, tensor<4x1x16xf32>, tensor<f32>) {
  // CHECK: weft.reduce_sum %{{.*}} axes = [0, 2] : tensor<4x8x16xf32> -> tensor<8xf32>
  %0 = weft.reduce_sum %x axes = [0, 2] : tensor<4x8x16xf32> -> tensor<8xf32>
  // CHECK: weft.reduce_mean %{{.*}} axes = [1] keep_dims : tensor<4x8x16xf32> -> tensor<4x1x16xf32>
  %1 = weft.reduce_mean %x axes = [1] keep_dims : tensor<4x8x16xf32> -> tensor<4x1x16xf32>
  // CHECK: weft.reduce_max %{{.*}} axes = [0, 1, 2] : tensor<4x8x16xf32> -> tensor<f32>
  %2 = weft.reduce_max %x axes = [0, 1, 2] : tensor<4x8x16xf32> -> tensor<f32>
  return %0, %1, %2 : tensor<8xf32>, tensor<4x1x16xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @normalizations
func.func @normalizations(%x: tensor<2x16x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>,
                          %g2: tensor<16x64xf32>) -> tensor<2x16x64xf32> {
  // CHECK: weft.softmax %{{.*}} axis = 2 : tensor<2x16x64xf32>
  %0 = weft.softmax %x axis = 2 : tensor<2x16x64xf32>
  // CHECK: weft.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x16x64xf32>, tensor<64xf32>
  %1 = weft.layer_norm %0, %g, %b : tensor<2x16x64xf32>, tensor<64xf32>
  // CHECK: weft.layer_norm {{.*}} {epsilon = 9.99999997E-7 : f32} : tensor<2x16x64xf32>, tensor<16x64xf32>
  %2 = weft.layer_norm %1, %g2, %g2 {epsilon = 1.0e-6 : f32} : tensor<2x16x64xf32>, tensor<16x64xf32>
  // CHECK: weft.rms_norm %{{.*}}, %{{.*}} : tensor<2x16x64xf32>, tensor<64xf32>
  %3 = weft.rms_norm %2, %g : tensor<2x16x64xf32>, tensor<64xf32>
  return %3 : tensor<2x16x64xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%table: tensor<100x16xf32>, %ids: tensor<2x8xi64>, %x: tensor<4x8xf32>,
                         %y: tensor<4x2xf32>, %v: tensor<8xf32>) -> tensor<4x10xf32> {
  // CHECK: weft.embedding %{{.*}}, %{{.*}} : tensor<100x16xf32>, tensor<2x8xi64> -> tensor<2x8x16xf32>
  %0 = weft.embedding %table, %ids : tensor<100x16xf32>, tensor<2x8xi64> -> tensor<2x8x16xf32>
  // CHECK: weft.transpose %{{.*}} perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  %1 = weft.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  // CHECK: weft.reshape %{{.*}} : tensor<4x8xf32> -> tensor<2x16xf32>
  %2 = weft.reshape %x : tensor<4x8xf32> -> tensor<2x16xf32>
  // CHECK: weft.broadcast_to %{{.*}} : tensor<8xf32> -> tensor<3x4x8xf32>
  %3 = weft.broadcast_to %v : tensor<8xf32> -> tensor<3x4x8xf32>
  // CHECK: weft.concat %{{.*}}, %{{.*}} axis = 1 : tensor<4x8xf32>, tensor<4x2xf32> -> tensor<4x10xf32>
  %4 = weft.concat %x, %y axis = 1 : tensor<4x8xf32>, tensor<4x2xf32> -> tensor<4x10xf32>
  // CHECK: weft.slice %{{.*}} starts = [0, 2] limits = [4, 6] : tensor<4x8xf32> -> tensor<4x4xf32>
  %5 = weft.slice %x starts = [0, 2] limits = [4, 6] : tensor<4x8xf32> -> tensor<4x4xf32>
  // CHECK: weft.slice %{{.*}} starts = [1, 0] limits = [4, 8] strides = [2, 3] : tensor<4x8xf32> -> tensor<2x3xf32>
  %6 = weft.slice %x starts = [1, 0] limits = [4, 8] strides = [2, 3] : tensor<4x8xf32> -> tensor<2x3xf32>
  return %4 : tensor<4x10xf32>
}

// CHECK-LABEL: func.func @loss_and_attention
func.func @loss_and_attention(%logits: tensor<8x10xf32>, %labels: tensor<8xi32>,
                              %q: tensor<2x4x16x8xf32>, %k: tensor<2x4x32x8xf32>,
                              %v: tensor<2x4x32x12xf32>, %m: tensor<16x32xf32>) -> tensor<f32> {
  // CHECK: weft.cross_entropy %{{.*}}, %{{.*}} : tensor<8x10xf32>, tensor<8xi32> -> tensor<f32>
  %0 = weft.cross_entropy %logits, %labels : tensor<8x10xf32>, tensor<8xi32> -> tensor<f32>
  // CHECK: weft.scaled_dot_product_attention %{{.*}}, %{{.*}}, %{{.*}} {is_causal} : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x12xf32> -> tensor<2x4x16x12xf32>
  %1 = weft.scaled_dot_product_attention %q, %k, %v {is_causal}
      : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x12xf32> -> tensor<2x4x16x12xf32>
  // CHECK: weft.scaled_dot_product_attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} {scale = 1.250000e-01 : f32} : {{.*}}, tensor<16x32xf32> -> tensor<2x4x16x12xf32>
  %2 = weft.scaled_dot_product_attention %q, %k, %v mask %m {scale = 0.125 : f32}
      : tensor<2x4x16x8xf32>, tensor<2x4x32x8xf32>, tensor<2x4x32x12xf32>, tensor<16x32xf32> -> tensor<2x4x16x12xf32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2x2xf32>, tensor<3xi64>) {
  // CHECK: weft.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %0 = weft.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: weft.constant dense<[1, 2, 3]> : tensor<3xi64>
  %1 = weft.constant dense<[1, 2, 3]> : tensor<3xi64>
  return %0, %1 : tensor<2x2xf32>, tensor<3xi64>
}

// CHECK-LABEL: func.func @gradient_rule_ops
func.func @gradient_rule_ops(%x: tensor<4x8xf32>, %b: tensor<8xf32>, %i: tensor<4x8xi32>,
                             %h: tensor<4xf16>, %labels: tensor<2x8xi64>,
                             %g: tensor<2x8x16xbf16>, %l32: tensor<8xi32>) -> tensor<4x8xf32> {
  // CHECK: weft.erf %{{.*}} : tensor<4x8xf32>
  %0 = weft.erf %x : tensor<4x8xf32>
  // CHECK: weft.erf %{{.*}} : tensor<4xf16>
  %1 = weft.erf %h : tensor<4xf16>
  // CHECK: weft.compare gt, %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>
  %2 = weft.compare gt, %x, %b : tensor<4x8xf32>, tensor<8xf32>
  // CHECK: weft.compare ne, %{{.*}}, %{{.*}} : tensor<4x8xi32>
  %3 = weft.compare ne, %i, %i : tensor<4x8xi32>
  // CHECK: weft.compare eq, %{{.*}}, %{{.*}} : tensor<4xf16>
  %4 = weft.compare eq, %h, %h : tensor<4xf16>
  // CHECK: weft.compare le,
  %5 = weft.compare le, %x, %x : tensor<4x8xf32>
  // CHECK: weft.compare lt,
  %6 = weft.compare lt, %x, %x : tensor<4x8xf32>
  // CHECK: weft.compare ge,
  %7 = weft.compare ge, %x, %x : tensor<4x8xf32>
  // CHECK: weft.pad %{{.*}} low = [0, 1] high = [0, 1] : tensor<4x8xf32> -> tensor<4x10xf32>
  %8 = weft.pad %x low = [0, 1] high = [0, 1] : tensor<4x8xf32> -> tensor<4x10xf32>
  // CHECK: weft.pad %{{.*}} low = [1, 0] high = [0, 2] interior = [1, 2] value = -1.500000e+00 : tensor<4x8xf32> -> tensor<8x24xf32>
  %9 = weft.pad %x low = [1, 0] high = [0, 2] interior = [1, 2] value = -1.5 : tensor<4x8xf32> -> tensor<8x24xf32>
  // CHECK: weft.pad %{{.*}} low = [2] high = [0] value = 7.000000e+00 : tensor<4xf16> -> tensor<6xf16>
  %10 = weft.pad %h low = [2] high = [0] value = 7.0 : tensor<4xf16> -> tensor<6xf16>
  // CHECK: weft.reverse %{{.*}} axes = [1, 0] : tensor<4x8xf32>
  %11 = weft.reverse %x axes = [1, 0] : tensor<4x8xf32>
  // CHECK: weft.reverse %{{.*}} axes = [1] : tensor<4x8xi32>
  %12 = weft.reverse %i axes = [1] : tensor<4x8xi32>
  // CHECK: weft.one_hot %{{.*}} : tensor<2x8xi64> -> tensor<2x8x10xf32>
  %13 = weft.one_hot %labels : tensor<2x8xi64> -> tensor<2x8x10xf32>
  // CHECK: weft.one_hot %{{.*}} : tensor<8xi32> -> tensor<8x3xbf16>
  %14 = weft.one_hot %l32 : tensor<8xi32> -> tensor<8x3xbf16>
  // CHECK: weft.embedding_grad %{{.*}}, %{{.*}} : tensor<2x8x16xbf16>, tensor<2x8xi64> -> tensor<100x16xbf16>
  %15 = weft.embedding_grad %g, %labels : tensor<2x8x16xbf16>, tensor<2x8xi64> -> tensor<100x16xbf16>
  return %0 : tensor<4x8xf32>
}
