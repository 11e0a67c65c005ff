// RUN: weft-opt %s --split-input-file --convert-weft-to-linalg | FileCheck %s
// RUN: weft-opt %S/../../Dialect/Weft/ops.mlir --convert-weft-to-linalg | FileCheck %s --check-prefix=ALL
// ALL-LABEL: func.func @elementwise
// ALL-NOT: weft.

// Numpy broadcasting is an indexing map: the bias reads only d1.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_bias
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK:         linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK:           arith.addf
// CHECK-NOT:     weft.
func.func @add_bias(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = weft.add %x, %b : tensor<4x8xf32>, tensor<8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A size-1 dim against a larger one reads index 0.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @broadcast_unit_dim
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[COL]], #{{.*}}]
func.func @broadcast_unit_dim(%x: tensor<4x8xi32>, %c: tensor<4x1xi32>) -> tensor<4x8xi32> {
  %0 = weft.mul %x, %c : tensor<4x8xi32>, tensor<4x1xi32>
  return %0 : tensor<4x8xi32>
}

// -----

// Matmul: zero-filled accumulator, (m, n, k) loops, k reduced.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_transposed_rhs
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[Z]] : f32)
// CHECK:         linalg.generic {indexing_maps = [#[[A]], #[[BT]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME:      outs(%[[F]] : tensor<8x4xf32>)
// CHECK:           arith.mulf
// CHECK:           arith.addf
func.func @matmul_transposed_rhs(%a: tensor<8x16xf32>, %w: tensor<4x16xf32>) -> tensor<8x4xf32> {
  %0 = weft.matmul %a, %w {transpose_rhs} : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// Softmax: max-reduce, exp(x - max), sum-reduce, divide.
// CHECK-LABEL: func.func @softmax
// CHECK:         arith.constant 0xFF800000 : f32
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:           arith.maximumf
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK:           arith.subf
// CHECK:           math.exp
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:           arith.addf
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK:           arith.divf
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = weft.softmax %x axis = 1 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Reshape goes through a 1-D view; transpose is linalg.transpose.
// CHECK-LABEL: func.func @layout
// CHECK:         %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<4x8xf32> into tensor<32xf32>
// CHECK:         tensor.expand_shape %[[F]] {{\[}}[0, 1, 2]] output_shape [2, 4, 4] : tensor<32xf32> into tensor<2x4x4xf32>
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<4x8xf32>) outs(%{{.*}} : tensor<8x4xf32>) permutation = [1, 0]
// CHECK:         tensor.extract_slice %{{.*}}[0, 2] [4, 2] [1, 2] : tensor<4x8xf32> to tensor<4x2xf32>
func.func @layout(%x: tensor<4x8xf32>) -> (tensor<2x4x4xf32>, tensor<8x4xf32>, tensor<4x2xf32>) {
  %0 = weft.reshape %x : tensor<4x8xf32> -> tensor<2x4x4xf32>
  %1 = weft.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
  %2 = weft.slice %x starts = [0, 2] limits = [4, 6] strides = [1, 2] : tensor<4x8xf32> -> tensor<4x2xf32>
  return %0, %1, %2 : tensor<2x4x4xf32>, tensor<8x4xf32>, tensor<4x2xf32>
}

// -----

// Embedding: a gather inside the body, indices clamped into the table.
// CHECK-LABEL: func.func @embedding
// CHECK:         linalg.generic
// CHECK:           arith.index_cast
// CHECK:           arith.maxsi
// CHECK:           arith.minsi
// CHECK:           linalg.index 2 : index
// CHECK:           tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<100x16xf32>
func.func @embedding(%t: tensor<100x16xf32>, %ids: tensor<2x8xi64>) -> tensor<2x8x16xf32> {
  %0 = weft.embedding %t, %ids : tensor<100x16xf32>, tensor<2x8xi64> -> tensor<2x8x16xf32>
  return %0 : tensor<2x8x16xf32>
}

// -----

// Convolution with padding: tensor.pad, then a 7-loop generic.
// CHECK-LABEL: func.func @conv
// CHECK:         tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = weft.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Every op of the dialect lowers (the round-trip file holds one of each).
// CHECK-LABEL: func.func @all_lower
// CHECK-NOT:     weft.
func.func @all_lower(%q: tensor<2x4x16x8xf32>, %l: tensor<8x10xf32>, %y: tensor<8xi32>) -> (tensor<2x4x16x8xf32>, tensor<f32>) {
  %0 = weft.scaled_dot_product_attention %q, %q, %q {is_causal} : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x8xf32>
  %1 = weft.cross_entropy %l, %y : tensor<8x10xf32>, tensor<8xi32> -> tensor<f32>
  return %0, %1 : tensor<2x4x16x8xf32>, tensor<f32>
}

// -----

// f16 sums accumulate in f32 and round once at the end.
// CHECK-LABEL: func.func @reduce_sum_f16
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[ACC:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK:         %[[S:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK-SAME:      ins(%{{.*}} : tensor<4x4096xf16>) outs(%[[ACC]] : tensor<4xf32>)
// CHECK:           ^bb0(%[[IN:.*]]: f16, %[[OUT:.*]]: f32):
// CHECK:             %[[W:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK:             arith.addf %[[W]], %[[OUT]] : f32
// CHECK:         linalg.generic {{.*}}ins(%[[S]] : tensor<4xf32>) outs(%{{.*}} : tensor<4xf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to f16
func.func @reduce_sum_f16(%x: tensor<4x4096xf16>) -> tensor<4xf16> {
  %0 = weft.reduce_sum %x axes = [1] : tensor<4x4096xf16> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// The mean divides the f32 sum by the count in f32, then rounds.
// CHECK-LABEL: func.func @reduce_mean_bf16
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<4xf32>)
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<4xbf16>)
// CHECK:           %[[M:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK:           arith.truncf %[[M]] : f32 to bf16
func.func @reduce_mean_bf16(%x: tensor<4x4096xbf16>) -> tensor<4xbf16> {
  %0 = weft.reduce_mean %x axes = [1] : tensor<4x4096xbf16> -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// f16 matmul: operands widened, products summed in f32.
// CHECK-LABEL: func.func @matmul_f16
// CHECK:         %[[ACC:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<8x4xf32>)
// CHECK:         %[[C:.*]] = linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<8x16xf16>, tensor<16x4xf16>) outs(%[[ACC]] : tensor<8x4xf32>)
// CHECK-DAG:       arith.extf %{{.*}} : f16 to f32
// CHECK-DAG:       arith.extf %{{.*}} : f16 to f32
// CHECK:           arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:           arith.addf %{{.*}}, %{{.*}} : f32
// CHECK:         linalg.generic {{.*}}ins(%[[C]] : tensor<8x4xf32>) outs(%{{.*}} : tensor<8x4xf16>)
// CHECK:           arith.truncf
func.func @matmul_f16(%a: tensor<8x16xf16>, %b: tensor<16x4xf16>) -> tensor<8x4xf16> {
  %0 = weft.matmul %a, %b : tensor<8x16xf16>, tensor<16x4xf16> -> tensor<8x4xf16>
  return %0 : tensor<8x4xf16>
}

// -----

// int8 matmul accumulates in i32 the same way (wrapping back to i8).
// CHECK-LABEL: func.func @batch_matmul_i8
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<2x8x4xi32>)
// CHECK-DAG:       arith.extsi %{{.*}} : i8 to i32
// CHECK-DAG:       arith.extsi %{{.*}} : i8 to i32
// CHECK:           arith.muli %{{.*}}, %{{.*}} : i32
// CHECK:           arith.addi %{{.*}}, %{{.*}} : i32
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<2x8x4xi8>)
// CHECK:           arith.trunci %{{.*}} : i32 to i8
func.func @batch_matmul_i8(%a: tensor<2x8x16xi8>, %b: tensor<2x16x4xi8>) -> tensor<2x8x4xi8> {
  %0 = weft.batch_matmul %a, %b : tensor<2x8x16xi8>, tensor<2x16x4xi8> -> tensor<2x8x4xi8>
  return %0 : tensor<2x8x4xi8>
}

// -----

// f16 softmax: the max stays f16 (exact); exp, sum and divide run in f32.
// CHECK-LABEL: func.func @softmax_f16
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<4xf16>)
// CHECK:           arith.maximumf %{{.*}}, %{{.*}} : f16
// CHECK:         %[[E:.*]] = linalg.generic {{.*}}outs(%{{.*}} : tensor<4x8xf32>)
// CHECK:           math.exp %{{.*}} : f32
// CHECK:         %[[S:.*]] = linalg.generic {{.*}}ins(%[[E]] : tensor<4x8xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:         linalg.generic {{.*}}ins(%[[E]], %[[S]] : tensor<4x8xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<4x8xf16>)
// CHECK:           arith.divf %{{.*}}, %{{.*}} : f32
// CHECK:           arith.truncf %{{.*}} : f32 to f16
func.func @softmax_f16(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %0 = weft.softmax %x axis = 1 : tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

// f16 layer_norm: mean, centered values and variance in f32.
// CHECK-LABEL: func.func @layer_norm_f16
// CHECK:         %[[S:.*]] = linalg.generic {{.*}}outs(%{{.*}} : tensor<2xf32>)
// CHECK:         %[[C:.*]] = linalg.generic {{.*}}outs(%{{.*}} : tensor<2x4096xf32>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:           arith.subf %{{.*}}, %{{.*}} : f32
// CHECK:         %[[V:.*]] = linalg.generic {{.*}}ins(%[[C]] : tensor<2x4096xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<2x4096xf16>)
// CHECK:           math.rsqrt %{{.*}} : f32
// CHECK:           arith.truncf %{{.*}} : f32 to f16
func.func @layer_norm_f16(%x: tensor<2x4096xf16>, %g: tensor<4096xf16>, %b: tensor<4096xf16>) -> tensor<2x4096xf16> {
  %0 = weft.layer_norm %x, %g, %b : tensor<2x4096xf16>, tensor<4096xf16>
  return %0 : tensor<2x4096xf16>
}

// -----

// Other summing ops widen as well.
// CHECK-LABEL: func.func @more_sums_f16
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<1x4x6x6xf32>)
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<1x4x6x6xf16>)
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME:      outs(%{{.*}} : tensor<1x4x3x3xf32>)
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<f32>)
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<f16>)
// CHECK-NOT:     weft.
func.func @more_sums_f16(%x: tensor<1x3x8x8xf16>, %w: tensor<4x3x3x3xf16>, %l: tensor<8x10xf16>, %y: tensor<8xi32>) -> (tensor<1x4x6x6xf16>, tensor<1x4x3x3xf16>, tensor<f16>) {
  %0 = weft.conv2d %x, %w : tensor<1x3x8x8xf16>, tensor<4x3x3x3xf16> -> tensor<1x4x6x6xf16>
  %1 = weft.avg_pool2d %0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x6x6xf16> -> tensor<1x4x3x3xf16>
  %2 = weft.cross_entropy %l, %y : tensor<8x10xf16>, tensor<8xi32> -> tensor<f16>
  return %0, %1, %2 : tensor<1x4x6x6xf16>, tensor<1x4x3x3xf16>, tensor<f16>
}

// -----

// Attention keeps its scores and probabilities in f32.
// CHECK-LABEL: func.func @attention_bf16
// CHECK:         linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<2x16x8xbf16>, tensor<2x16x8xbf16>) outs(%{{.*}} : tensor<2x16x16xf32>)
// CHECK:         linalg.generic {{.*}}outs(%{{.*}} : tensor<2x16x8xf32>)
// CHECK:         linalg.generic {{.*}}ins(%{{.*}} : tensor<2x16x8xf32>) outs(%{{.*}} : tensor<2x16x8xbf16>)
// CHECK-NEXT:    ^bb0
// CHECK-NEXT:      arith.truncf %{{.*}} : f32 to bf16
func.func @attention_bf16(%q: tensor<2x16x8xbf16>) -> tensor<2x16x8xbf16> {
  %0 = weft.scaled_dot_product_attention %q, %q, %q : tensor<2x16x8xbf16>, tensor<2x16x8xbf16>, tensor<2x16x8xbf16> -> tensor<2x16x8xbf16>
  return %0 : tensor<2x16x8xbf16>
}

// -----

// f32 and i64 need no conversion: the accumulator is the element type.
// CHECK-LABEL: func.func @negative_no_widening
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK-NOT:     arith.extsi
// CHECK-NOT:     arith.trunci
func.func @negative_no_widening(%x: tensor<4x8xf32>, %i: tensor<4x8xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = weft.reduce_sum %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
  %1 = weft.reduce_sum %i axes = [1] : tensor<4x8xi64> -> tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// f64 accumulates in f64: sums, matmuls and layer_norm never narrow to f32.
// CHECK-LABEL: func.func @negative_f64_no_narrowing
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK-NOT:     f32
// CHECK:         return
func.func @negative_f64_no_narrowing(%x: tensor<4x8xf64>, %w: tensor<8x2xf64>, %g: tensor<8xf64>)
    -> (tensor<4xf64>, tensor<4x2xf64>, tensor<4x8xf64>) {
  %0 = weft.reduce_sum %x axes = [1] : tensor<4x8xf64> -> tensor<4xf64>
  %1 = weft.matmul %x, %w : tensor<4x8xf64>, tensor<8x2xf64> -> tensor<4x2xf64>
  %2 = weft.layer_norm %x, %g, %g : tensor<4x8xf64>, tensor<8xf64>
  return %0, %1, %2 : tensor<4xf64>, tensor<4x2xf64>, tensor<4x8xf64>
}

// -----

// f64 to bf16 / f16 rounds to odd into f32 (the last mantissa bit set when
// the f32 is inexact), then to nearest even: one correct rounding, with no
// libgcc helper. f64 to f32 is one truncf.
// CHECK-LABEL: func.func @cast_f64
// CHECK:         linalg.generic
// CHECK:           %[[T:.*]] = arith.truncf %[[X:.*]] : f64 to f32
// CHECK:           %[[BACK:.*]] = arith.extf %[[T]] : f32 to f64
// CHECK:           %[[BITS:.*]] = arith.bitcast %[[T]] : f32 to i32
// CHECK:           arith.cmpf one, %[[X]], %[[BACK]] : f64
// CHECK:           %[[ODD:.*]] = arith.select %{{.*}}, %{{.*}}, %[[BITS]] : i32
// CHECK:           %[[F:.*]] = arith.bitcast %[[ODD]] : i32 to f32
// CHECK:           arith.truncf %[[F]] : f32 to bf16
// CHECK:         linalg.generic
// CHECK:           arith.bitcast
// CHECK:           arith.truncf %{{.*}} : f32 to f16
// CHECK:         linalg.generic
// CHECK-NEXT:      ^bb0(%[[Y:.*]]: f64, %{{.*}}: f32):
// CHECK-NEXT:        %[[R:.*]] = arith.truncf %[[Y]] : f64 to f32
// CHECK-NEXT:        linalg.yield %[[R]] : f32
func.func @cast_f64(%x: tensor<4xf64>) -> (tensor<4xbf16>, tensor<4xf16>, tensor<4xf32>) {
  %0 = weft.cast %x : tensor<4xf64> -> tensor<4xbf16>
  %1 = weft.cast %x : tensor<4xf64> -> tensor<4xf16>
  %2 = weft.cast %x : tensor<4xf64> -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xbf16>, tensor<4xf16>, tensor<4xf32>
}

// -----

// Integer division never traps: the divisor is replaced by 1 when it is 0
// or when the quotient would overflow (INT_MIN / -1), and x / 0 gives 0.
// CHECK-LABEL: func.func @div_i8
// CHECK:         ^bb0(%[[X:.*]]: i8, %[[Y:.*]]: i8, %{{.*}}: i8):
// CHECK-DAG:       %[[ZERO:.*]] = arith.constant 0 : i8
// CHECK-DAG:       %[[ONE:.*]] = arith.constant 1 : i8
// CHECK-DAG:       %[[M1:.*]] = arith.constant -1 : i8
// CHECK-DAG:       %[[MIN:.*]] = arith.constant -128 : i8
// CHECK-DAG:       %[[BYZERO:.*]] = arith.cmpi eq, %[[Y]], %[[ZERO]] : i8
// CHECK-DAG:       %[[YM1:.*]] = arith.cmpi eq, %[[Y]], %[[M1]] : i8
// CHECK-DAG:       %[[XMIN:.*]] = arith.cmpi eq, %[[X]], %[[MIN]] : i8
// CHECK:           %[[OV:.*]] = arith.andi %[[XMIN]], %[[YM1]] : i1
// CHECK:           %[[BAD:.*]] = arith.ori %[[BYZERO]], %[[OV]] : i1
// CHECK:           %[[SAFE:.*]] = arith.select %[[BAD]], %[[ONE]], %[[Y]] : i8
// CHECK:           %[[Q:.*]] = arith.divsi %[[X]], %[[SAFE]] : i8
// CHECK:           %[[R:.*]] = arith.select %[[BYZERO]], %[[ZERO]], %[[Q]] : i8
// CHECK:           linalg.yield %[[R]] : i8
func.func @div_i8(%x: tensor<16xi8>, %y: tensor<16xi8>) -> tensor<16xi8> {
  %0 = weft.div %x, %y : tensor<16xi8>
  return %0 : tensor<16xi8>
}

// -----

// Float division stays a plain divf.
// CHECK-LABEL: func.func @negative_div_f32
// CHECK:         arith.divf
// CHECK-NOT:     arith.select
func.func @negative_div_f32(%x: tensor<16xf32>, %y: tensor<16xf32>) -> tensor<16xf32> {
  %0 = weft.div %x, %y : tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

// Zero-element results are empty tensors: nothing is computed and no
// zero-element temporary is built.
// CHECK-LABEL: func.func @zero_element_results
// CHECK-DAG:     %[[A:.*]] = tensor.empty() : tensor<2x0xf32>
// CHECK-DAG:     %[[B:.*]] = tensor.empty() : tensor<0x4xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[A]], %[[B]]
func.func @zero_element_results(%x: tensor<2x0xf32>, %a: tensor<0x3xf32>, %b: tensor<3x4xf32>) -> (tensor<2x0xf32>, tensor<0x4xf32>) {
  %0 = weft.softmax %x axis = 1 : tensor<2x0xf32>
  %1 = weft.matmul %a, %b : tensor<0x3xf32>, tensor<3x4xf32> -> tensor<0x4xf32>
  return %0, %1 : tensor<2x0xf32>, tensor<0x4xf32>
}

// -----

// K = 0: the zero-filled accumulator is the whole product.
// CHECK-LABEL: func.func @matmul_k0
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<4x5xf32>)
// CHECK:         linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<4x0xf32>, tensor<0x5xf32>) outs(%[[F]] : tensor<4x5xf32>)
func.func @matmul_k0(%a: tensor<4x0xf32>, %b: tensor<0x5xf32>) -> tensor<4x5xf32> {
  %0 = weft.matmul %a, %b : tensor<4x0xf32>, tensor<0x5xf32> -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

// Reading an empty operand into a non-empty result: sums are 0, means NaN,
// the loss over no rows NaN, attention over no keys 0, convolution over no
// channels the bias.
// CHECK-LABEL: func.func @empty_operands
// CHECK-DAG:     arith.constant 0x7FC00000 : f32
// CHECK-DAG:     arith.constant 0.000000e+00 : f32
// CHECK-NOT:     tensor<0x10xf32>
// CHECK-NOT:     tensor<2x4x0xf32>
// CHECK-NOT:     tensor<1x0x6x6xf32>
// CHECK:         return
func.func @empty_operands(%x: tensor<3x0xf32>, %l: tensor<0x10xf32>, %y: tensor<0xi32>,
                          %q: tensor<2x4x8xf32>, %k: tensor<2x0x8xf32>, %v: tensor<2x0x8xf32>,
                          %i: tensor<1x0x4x4xf32>, %w: tensor<2x0x3x3xf32>, %bias: tensor<2xf32>)
    -> (tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<2x4x8xf32>, tensor<1x2x4x4xf32>) {
  %0 = weft.reduce_sum %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
  %1 = weft.reduce_mean %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
  %2 = weft.cross_entropy %l, %y : tensor<0x10xf32>, tensor<0xi32> -> tensor<f32>
  %3 = weft.scaled_dot_product_attention %q, %k, %v : tensor<2x4x8xf32>, tensor<2x0x8xf32>, tensor<2x0x8xf32> -> tensor<2x4x8xf32>
  %4 = weft.conv2d %i, %w, %bias {padding = array<i64: 1, 1, 1, 1>} : tensor<1x0x4x4xf32>, tensor<2x0x3x3xf32>, tensor<2xf32> -> tensor<1x2x4x4xf32>
  return %0, %1, %2, %3, %4 : tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<2x4x8xf32>, tensor<1x2x4x4xf32>
}

// -----

// erf is math.erf on each element.
// CHECK-LABEL: func.func @erf
// CHECK:         linalg.generic
// CHECK:           math.erf %{{.*}} : f16
func.func @erf(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %0 = weft.erf %x : tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

// compare: ordered float predicates except ne (unordered, true on NaN),
// signed integer ones, then a 1/0 select in the element type; the rhs
// broadcasts through its map.
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @compare
// CHECK:         linalg.generic {indexing_maps = [#{{.*}}, #[[ROW]], #{{.*}}]
// CHECK:           %[[C:.*]] = arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK-DAG:       %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG:       %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:           %[[M:.*]] = arith.select %[[C]], %[[ONE]], %[[ZERO]] : f32
// CHECK:           linalg.yield %[[M]] : f32
// CHECK:         arith.cmpf une
// CHECK:         arith.cmpf oeq
// CHECK:         arith.cmpf ole
// CHECK:         arith.cmpi slt, %{{.*}}, %{{.*}} : i32
// CHECK:         arith.select %{{.*}} : i32
// CHECK:         arith.cmpi sge
// CHECK:         arith.cmpi ne
func.func @compare(%x: tensor<4x8xf32>, %b: tensor<8xf32>, %i: tensor<4x8xi32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xi32>, tensor<4x8xi32>, tensor<4x8xi32>) {
  %0 = weft.compare gt, %x, %b : tensor<4x8xf32>, tensor<8xf32>
  %1 = weft.compare ne, %x, %x : tensor<4x8xf32>
  %2 = weft.compare eq, %x, %x : tensor<4x8xf32>
  %3 = weft.compare le, %x, %x : tensor<4x8xf32>
  %4 = weft.compare lt, %i, %i : tensor<4x8xi32>
  %5 = weft.compare ge, %i, %i : tensor<4x8xi32>
  %6 = weft.compare ne, %i, %i : tensor<4x8xi32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xi32>, tensor<4x8xi32>, tensor<4x8xi32>
}

// -----

// pad: the result filled with the value, the input inserted at offsets
// `low` with strides `interior + 1`; an integer value is converted.
// CHECK-LABEL: func.func @pad
// CHECK-SAME:    (%[[X:.*]]: tensor<4x8xf32>, %[[I:.*]]: tensor<3xi32>)
// CHECK:         %[[V:.*]] = arith.constant -1.500000e+00 : f32
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[V]] : f32) outs(%{{.*}} : tensor<8x24xf32>)
// CHECK:         tensor.insert_slice %[[X]] into %[[F]][1, 0] [4, 8] [2, 3] : tensor<4x8xf32> into tensor<8x24xf32>
// CHECK:         %[[W:.*]] = arith.constant -2 : i32
// CHECK:         %[[G:.*]] = linalg.fill ins(%[[W]] : i32) outs(%{{.*}} : tensor<6xi32>)
// CHECK:         tensor.insert_slice %[[I]] into %[[G]][2] [3] [1] : tensor<3xi32> into tensor<6xi32>
func.func @pad(%x: tensor<4x8xf32>, %i: tensor<3xi32>) -> (tensor<8x24xf32>, tensor<6xi32>) {
  %0 = weft.pad %x low = [1, 0] high = [0, 2] interior = [1, 2] value = -1.5 : tensor<4x8xf32> -> tensor<8x24xf32>
  %1 = weft.pad %i low = [2] high = [1] value = -2.7 : tensor<3xi32> -> tensor<6xi32>
  return %0, %1 : tensor<8x24xf32>, tensor<6xi32>
}

// -----

// An empty input pads to a plain fill; out-of-range integer values saturate.
// CHECK-LABEL: func.func @pad_empty_input
// CHECK:         %[[V:.*]] = arith.constant 127 : i8
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[V]] : i8) outs(%{{.*}} : tensor<2x3xi8>)
// CHECK-NOT:     tensor.insert_slice
// CHECK:         return %[[F]]
func.func @pad_empty_input(%x: tensor<0x3xi8>) -> tensor<2x3xi8> {
  %0 = weft.pad %x low = [1, 0] high = [1, 0] interior = [4, 0] value = 1.0e+10 : tensor<0x3xi8> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

// No padding lowers to the input itself.
// CHECK-LABEL: func.func @negative_pad_nothing
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8xf32>)
// CHECK-NOT:     linalg.fill
// CHECK-NOT:     tensor.insert_slice
// CHECK:         return %[[X]]
func.func @negative_pad_nothing(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %0 = weft.pad %x low = [0, 0] high = [0, 0] interior = [3, 0] : tensor<1x8xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// reverse reads each reversed dim d at n - 1 - d.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1, d2) -> (-d0 + 1, d1, -d2 + 3)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @reverse
// CHECK:         linalg.generic {indexing_maps = [#[[REV]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-NEXT:    ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      linalg.yield %[[IN]] : f32
func.func @reverse(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = weft.reverse %x axes = [2, 0] : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Reversing dims of size 1 moves nothing.
// CHECK-LABEL: func.func @negative_reverse_unit_dims
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8xf32>)
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[X]]
func.func @negative_reverse_unit_dims(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
  %0 = weft.reverse %x axes = [0] : tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}

// -----

// one_hot: the class index against the label clamped into [0, C).
// CHECK-DAG: #[[LAB:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @one_hot
// CHECK:         linalg.generic {indexing_maps = [#[[LAB]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%{{.*}} : tensor<2x8xi64>) outs(%{{.*}} : tensor<2x8x10xbf16>)
// CHECK:           %[[C:.*]] = linalg.index 2 : index
// CHECK:           %[[L:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK-DAG:       %[[LO:.*]] = arith.constant 0 : index
// CHECK-DAG:       %[[HI:.*]] = arith.constant 9 : index
// CHECK:           %[[A:.*]] = arith.maxsi %[[L]], %[[LO]] : index
// CHECK:           %[[B:.*]] = arith.minsi %[[A]], %[[HI]] : index
// CHECK:           %[[HIT:.*]] = arith.cmpi eq, %[[C]], %[[B]] : index
// CHECK:           arith.select %[[HIT]], %{{.*}}, %{{.*}} : bf16
func.func @one_hot(%l: tensor<2x8xi64>) -> tensor<2x8x10xbf16> {
  %0 = weft.one_hot %l : tensor<2x8xi64> -> tensor<2x8x10xbf16>
  return %0 : tensor<2x8x10xbf16>
}

// -----

// embedding_grad: a scatter-add, O(I * D). A zero f32 table, then one loop
// step per index position adding the (widened) gradient row into the row
// its clamped index names; the table is rounded to bf16 once, after the
// loop. No [V, D]-sized generic reads the gradient (no one-hot product).
// CHECK-LABEL: func.func @embedding_grad_bf16
// CHECK-SAME:    (%[[G:.*]]: tensor<2x8x16xbf16>, %[[IDS:.*]]: tensor<2x8xi64>)
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[T0:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<100x16xf32>)
// CHECK-DAG:     %[[FLATIDS:.*]] = tensor.collapse_shape %[[IDS]] {{\[}}[0, 1]] : tensor<2x8xi64> into tensor<16xi64>
// CHECK-DAG:     %[[ROWS:.*]] = tensor.expand_shape %{{.*}} output_shape [16, 16] : tensor<256xbf16> into tensor<16x16xbf16>
// CHECK:         %[[T:.*]] = scf.for %[[P:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[T0]]) -> (tensor<100x16xf32>) {
// CHECK:           %[[ID:.*]] = tensor.extract %[[FLATIDS]][%[[P]]] : tensor<16xi64>
// CHECK:           arith.index_cast %[[ID]]
// CHECK:           arith.maxsi
// CHECK:           %[[V:.*]] = arith.minsi
// CHECK:           %[[GROW:.*]] = tensor.extract_slice %[[ROWS]][%[[P]], 0] [1, 16] [1, 1] : tensor<16x16xbf16> to tensor<16xbf16>
// CHECK:           %[[TROW:.*]] = tensor.extract_slice %[[ACC]][%[[V]], 0] [1, 16] [1, 1] : tensor<100x16xf32> to tensor<16xf32>
// CHECK:           %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[GROW]] : tensor<16xbf16>) outs(%[[TROW]] : tensor<16xf32>)
// CHECK:             arith.extf %{{.*}} : bf16 to f32
// CHECK:             arith.addf
// CHECK:           %[[NEW:.*]] = tensor.insert_slice %[[SUM]] into %[[ACC]][%[[V]], 0] [1, 16] [1, 1] : tensor<16xf32> into tensor<100x16xf32>
// CHECK:           scf.yield %[[NEW]]
// CHECK:         linalg.generic {{.*}} ins(%[[T]] : tensor<100x16xf32>) outs(%{{.*}} : tensor<100x16xbf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT:     linalg.generic
func.func @embedding_grad_bf16(%g: tensor<2x8x16xbf16>, %ids: tensor<2x8xi64>) -> tensor<100x16xbf16> {
  %0 = weft.embedding_grad %g, %ids : tensor<2x8x16xbf16>, tensor<2x8xi64> -> tensor<100x16xbf16>
  return %0 : tensor<100x16xbf16>
}

// -----

// f32 needs no conversion; no index positions is a zero table without a loop.
// CHECK-LABEL: func.func @embedding_grad_f32
// CHECK:         scf.for
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3x5xf32>)
// CHECK-NOT:     scf.for
// CHECK:         return %{{.*}}, %[[Z]]
func.func @embedding_grad_f32(%g: tensor<4x5xf32>, %ids: tensor<4xi32>, %ge: tensor<0x5xf32>, %ide: tensor<0xi32>) -> (tensor<10x5xf32>, tensor<3x5xf32>) {
  %0 = weft.embedding_grad %g, %ids : tensor<4x5xf32>, tensor<4xi32> -> tensor<10x5xf32>
  %1 = weft.embedding_grad %ge, %ide : tensor<0x5xf32>, tensor<0xi32> -> tensor<3x5xf32>
  return %0, %1 : tensor<10x5xf32>, tensor<3x5xf32>
}
