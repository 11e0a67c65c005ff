// RUN: weft-opt %s --split-input-file --verify-diagnostics

func.func @negative_dynamic_shape(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of f32/f16/bf16/i8/i32/i64/f64}}
  %0 = weft.relu %x : tensor<?x8xf32>
  return
}

// -----

func.func @negative_i16(%x: tensor<4xi16>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of f32/f16/bf16/i8/i32/i64/f64}}
  %0 = weft.neg %x : tensor<4xi16>
  return
}

// -----

func.func @negative_f8(%x: tensor<4xf8E4M3FN>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of f32/f16/bf16/i8/i32/i64/f64}}
  %0 = weft.neg %x : tensor<4xf8E4M3FN>
  return
}

// -----

func.func @negative_exp_of_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of f32/f16/bf16/f64}}
  %0 = weft.exp %x : tensor<4xi32>
  return
}

// -----

func.func @negative_binary_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'weft.add' op operand element types differ: 'f32' vs 'f16'}}
  %0 = weft.add %a, %b : tensor<4xf32>, tensor<4xf16>
  return
}

// -----

func.func @negative_binary_broadcast(%a: tensor<4x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'weft.mul' op shapes [4, 8] and [4] are not broadcast-compatible}}
  %0 = weft.mul %a, %b : tensor<4x8xf32>, tensor<4xf32>
  return
}

// -----

func.func @negative_binary_result_type(%a: tensor<4xf32>) {
  // expected-error @+2 {{'weft.sub' op inferred type(s) 'tensor<4xf32>' are incompatible with return type(s) of operation 'tensor<8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = "weft.sub"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @negative_matmul_rank(%a: tensor<2x8x16xf32>, %b: tensor<16x4xf32>) {
  // expected-error @+2 {{'weft.matmul' op expects rank-2 operands, got 3 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.matmul %a, %b : tensor<2x8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @negative_matmul_k(%a: tensor<8x16xf32>, %b: tensor<15x4xf32>) {
  // expected-error @+2 {{'weft.matmul' op contracting dims differ: lhs [8, 16] has K=16, rhs [15, 4] has K=15}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.matmul %a, %b : tensor<8x16xf32>, tensor<15x4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @negative_matmul_element_types(%a: tensor<8x16xf32>, %b: tensor<16x4xbf16>) {
  // expected-error @+2 {{'weft.matmul' op operand element types differ: 'f32' vs 'bf16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xbf16> -> tensor<8x4xf32>
  return
}

// -----

func.func @negative_matmul_result(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) {
  // expected-error @+2 {{'weft.matmul' op inferred type(s) 'tensor<8x4xf32>' are incompatible with return type(s) of operation 'tensor<8x5xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x5xf32>
  return
}

// -----

func.func @negative_matmul_transposed_k(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) {
  // expected-error @+2 {{'weft.matmul' op contracting dims differ: lhs [8, 16] has K=16, rhs [16, 4] has K=4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.matmul %a, %b {transpose_rhs} : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x16xf32>
  return
}

// -----

func.func @negative_batch_matmul_rank(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) {
  // expected-error @+2 {{'weft.batch_matmul' op expects operands of equal rank >= 3, got 2 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.batch_matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @negative_batch_matmul_batch(%a: tensor<2x8x16xf32>, %b: tensor<3x16x4xf32>) {
  // expected-error @+2 {{'weft.batch_matmul' op batch dims differ: [2] vs [3]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.batch_matmul %a, %b : tensor<2x8x16xf32>, tensor<3x16x4xf32> -> tensor<2x8x4xf32>
  return
}

// -----

func.func @negative_conv_rank(%x: tensor<3x32x32xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+2 {{'weft.conv2d' op expects rank-4 input [N,C,H,W] and filter [F,C/groups,KH,KW], got ranks 3 and 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w : tensor<3x32x32xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x30x30xf32>
  return
}

// -----

func.func @negative_conv_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf16>) {
  // expected-error @+2 {{'weft.conv2d' op input and filter element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf16> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @negative_conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+2 {{'weft.conv2d' op strides must be 2 positive values, got [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w {strides = array<i64: 0, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @negative_conv_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+2 {{'weft.conv2d' op padding must be 4 non-negative values [top, left, bottom, right], got [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w {padding = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @negative_conv_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+2 {{'weft.conv2d' op dilations must be 2 positive values, got [1, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w {dilations = array<i64: 1, 0>} : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @negative_conv_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+2 {{'weft.conv2d' op groups = 4 must be positive and divide input channels (6) and filters (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w {groups = 4} : tensor<1x6x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @negative_conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+2 {{'weft.conv2d' op filter expects 3 input channels, input has 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w : tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @negative_conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{'weft.conv2d' op bias must be a rank-1 tensor of 8 x 'f32', got 'tensor<4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w, %b : tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<4xf32> -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @negative_conv_window(%x: tensor<1x3x2x2xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+2 {{'weft.conv2d' op window 3x3 (dilated) is larger than the padded input 2x2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w : tensor<1x3x2x2xf32>, tensor<8x3x3x3xf32> -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @negative_pool_rank(%x: tensor<8x16x16xf32>) {
  // expected-error @+2 {{'weft.max_pool2d' op expects a rank-4 [N,C,H,W] input, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.max_pool2d %x {kernel = array<i64: 2, 2>} : tensor<8x16x16xf32> -> tensor<8x15x15xf32>
  return
}

// -----

func.func @negative_pool_kernel(%x: tensor<1x8x16x16xf32>) {
  // expected-error @+2 {{'weft.avg_pool2d' op kernel must be 2 positive values, got [2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.avg_pool2d %x {kernel = array<i64: 2>} : tensor<1x8x16x16xf32> -> tensor<1x8x15x15xf32>
  return
}

// -----

func.func @negative_pool_padding(%x: tensor<1x8x16x16xf32>) {
  // expected-error @+2 {{'weft.max_pool2d' op padding [2, 0, 0, 0] must be smaller than the kernel [2, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.max_pool2d %x {kernel = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>} : tensor<1x8x16x16xf32> -> tensor<1x8x17x15xf32>
  return
}

// -----

func.func @negative_pool_too_large(%x: tensor<1x8x2x2xf32>) {
  // expected-error @+2 {{'weft.max_pool2d' op kernel [3, 3] is larger than the padded input 2x2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.max_pool2d %x {kernel = array<i64: 3, 3>} : tensor<1x8x2x2xf32> -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @negative_reduce_no_axes(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.reduce_sum' op expects at least one axis}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.reduce_sum %x axes = [] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @negative_reduce_axis_range(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.reduce_mean' op axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.reduce_mean %x axes = [2] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @negative_reduce_axis_repeated(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.reduce_max' op axis 1 is repeated}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.reduce_max %x axes = [1, 1] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @negative_reduce_result(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.reduce_sum' op inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.reduce_sum %x axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @negative_softmax_axis(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'weft.softmax' op axis -1 is out of range [0, 2)}}
  %0 = weft.softmax %x axis = -1 : tensor<4x8xf32>
  return
}

// -----

func.func @negative_layer_norm_shape(%x: tensor<2x16x64xf32>, %g: tensor<32xf32>) {
  // expected-error @+1 {{'weft.layer_norm' op scale shape [32] must equal the trailing dims of the input shape [2, 16, 64]}}
  %0 = weft.layer_norm %x, %g, %g : tensor<2x16x64xf32>, tensor<32xf32>
  return
}

// -----

func.func @negative_layer_norm_element_type(%x: tensor<2x64xf32>, %g: tensor<64xf16>) {
  // expected-error @+1 {{'weft.layer_norm' op scale element type 'f16' differs from input element type 'f32'}}
  %0 = weft.layer_norm %x, %g, %g : tensor<2x64xf32>, tensor<64xf16>
  return
}

// -----

func.func @negative_layer_norm_epsilon(%x: tensor<2x64xf32>, %g: tensor<64xf32>) {
  // expected-error @+1 {{'weft.layer_norm' op epsilon must be non-negative}}
  %0 = weft.layer_norm %x, %g, %g {epsilon = -1.0 : f32} : tensor<2x64xf32>, tensor<64xf32>
  return
}

// -----

func.func @negative_rms_norm_shape(%x: tensor<2x64xf32>, %g: tensor<2x2x64xf32>) {
  // expected-error @+1 {{'weft.rms_norm' op scale shape [2, 2, 64] must equal the trailing dims of the input shape [2, 64]}}
  %0 = weft.rms_norm %x, %g : tensor<2x64xf32>, tensor<2x2x64xf32>
  return
}

// -----

func.func @negative_embedding_table(%t: tensor<100xf32>, %i: tensor<4xi64>) {
  // expected-error @+2 {{'weft.embedding' op expects a rank-2 [V, D] table, got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.embedding %t, %i : tensor<100xf32>, tensor<4xi64> -> tensor<4xf32>
  return
}

// -----

func.func @negative_embedding_float_ids(%t: tensor<100x8xf32>, %i: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of i32/i64}}
  %0 = weft.embedding %t, %i : tensor<100x8xf32>, tensor<4xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @negative_transpose_size(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.transpose' op permutation [0] has 1 entries, input rank is 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.transpose %x perm = [0] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @negative_transpose_perm(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.transpose' op permutation [1, 1] is not a permutation of [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.transpose %x perm = [1, 1] : tensor<4x8xf32> -> tensor<8x8xf32>
  return
}

// -----

func.func @negative_reshape_count(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'weft.reshape' op cannot reshape [4, 8] (32 elements) to [5, 6] (30 elements)}}
  %0 = weft.reshape %x : tensor<4x8xf32> -> tensor<5x6xf32>
  return
}

// -----

func.func @negative_reshape_element_type(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'weft.reshape' op element type changes from 'f32' to 'i32' (use weft.cast)}}
  %0 = weft.reshape %x : tensor<4x8xf32> -> tensor<32xi32>
  return
}

// -----

func.func @negative_broadcast_to(%x: tensor<3xf32>) {
  // expected-error @+1 {{'weft.broadcast_to' op cannot broadcast [3] to [4, 8]}}
  %0 = weft.broadcast_to %x : tensor<3xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @negative_broadcast_to_rank(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'weft.broadcast_to' op cannot broadcast [2, 8] to [8]}}
  %0 = weft.broadcast_to %x : tensor<2x8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @negative_broadcast_to_element_type(%x: tensor<8xf32>) {
  // expected-error @+1 {{'weft.broadcast_to' op element type changes from 'f32' to 'f16'}}
  %0 = weft.broadcast_to %x : tensor<8xf32> -> tensor<2x8xf16>
  return
}

// -----

func.func @negative_concat_axis(%a: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.concat' op axis 2 is out of range [0, 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.concat %a, %a axis = 2 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @negative_concat_element_type(%a: tensor<4x8xf32>, %b: tensor<4x8xf16>) {
  // expected-error @+2 {{'weft.concat' op input 1 has element type 'f16', input 0 has 'f32'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.concat %a, %b axis = 1 : tensor<4x8xf32>, tensor<4x8xf16> -> tensor<4x16xf32>
  return
}

// -----

func.func @negative_concat_rank(%a: tensor<4x8xf32>, %b: tensor<4x8x1xf32>) {
  // expected-error @+2 {{'weft.concat' op input 1 has rank 3, input 0 has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.concat %a, %b axis = 1 : tensor<4x8xf32>, tensor<4x8x1xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @negative_concat_dims(%a: tensor<4x8xf32>, %b: tensor<3x8xf32>) {
  // expected-error @+2 {{'weft.concat' op input 1 shape [3, 8] differs from input 0 [4, 8] in dim 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.concat %a, %b axis = 1 : tensor<4x8xf32>, tensor<3x8xf32> -> tensor<4x16xf32>
  return
}

// -----

func.func @negative_slice_entries(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.slice' op starts, limits and strides need one entry per dim (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.slice %x starts = [0] limits = [4] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @negative_slice_bounds(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.slice' op dim 1: need 0 <= start (2) < limit (9) <= size (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.slice %x starts = [0, 2] limits = [4, 9] : tensor<4x8xf32> -> tensor<4x7xf32>
  return
}

// -----

func.func @negative_slice_stride(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.slice' op stride 0 of dim 0 must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.slice %x starts = [0, 0] limits = [4, 8] strides = [0, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @negative_cross_entropy(%l: tensor<8x10xf32>, %y: tensor<4xi64>) {
  // expected-error @+2 {{'weft.cross_entropy' op expects logits [N, C] and labels [N], got [8, 10] and [4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.cross_entropy %l, %y : tensor<8x10xf32>, tensor<4xi64> -> tensor<f32>
  return
}

// -----

func.func @negative_sdpa_rank(%q: tensor<16xf32>) {
  // expected-error @+2 {{'weft.scaled_dot_product_attention' op expects query, key and value of one rank >= 2, got 1, 1, 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.scaled_dot_product_attention %q, %q, %q : tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<16xf32>
  return
}

// -----

func.func @negative_sdpa_element_types(%q: tensor<16x8xf32>, %k: tensor<16x8xf16>) {
  // expected-error @+2 {{'weft.scaled_dot_product_attention' op query, key and value element types differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.scaled_dot_product_attention %q, %k, %k : tensor<16x8xf32>, tensor<16x8xf16>, tensor<16x8xf16> -> tensor<16x8xf32>
  return
}

// -----

func.func @negative_sdpa_batch(%q: tensor<2x16x8xf32>, %k: tensor<3x16x8xf32>) {
  // expected-error @+2 {{'weft.scaled_dot_product_attention' op batch dims differ: query [2, 16, 8], key [3, 16, 8], value [3, 16, 8]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.scaled_dot_product_attention %q, %k, %k : tensor<2x16x8xf32>, tensor<3x16x8xf32>, tensor<3x16x8xf32> -> tensor<2x16x8xf32>
  return
}

// -----

func.func @negative_sdpa_head_dim(%q: tensor<16x8xf32>, %k: tensor<16x4xf32>) {
  // expected-error @+2 {{'weft.scaled_dot_product_attention' op key head dim 4 differs from query head dim 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.scaled_dot_product_attention %q, %k, %k : tensor<16x8xf32>, tensor<16x4xf32>, tensor<16x4xf32> -> tensor<16x4xf32>
  return
}

// -----

func.func @negative_sdpa_value_length(%q: tensor<16x8xf32>, %v: tensor<12x8xf32>) {
  // expected-error @+2 {{'weft.scaled_dot_product_attention' op value length 12 differs from key length 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.scaled_dot_product_attention %q, %q, %v : tensor<16x8xf32>, tensor<16x8xf32>, tensor<12x8xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @negative_sdpa_mask(%q: tensor<16x8xf32>, %m: tensor<8x16xf32>) {
  // expected-error @+2 {{'weft.scaled_dot_product_attention' op mask 'tensor<8x16xf32>' must broadcast to the scores shape [16, 16]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.scaled_dot_product_attention %q, %q, %q mask %m : tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32>, tensor<8x16xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @negative_sdpa_scale(%q: tensor<16x8xf32>) {
  // expected-error @+2 {{'weft.scaled_dot_product_attention' op scale must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.scaled_dot_product_attention %q, %q, %q {scale = 0.0 : f32} : tensor<16x8xf32>, tensor<16x8xf32>, tensor<16x8xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @negative_constant_type() {
  // expected-error @+1 {{result #0 must be statically shaped tensor of f32/f16/bf16/i8/i32/i64/f64}}
  %0 = weft.constant dense<1> : tensor<4xi16>
  return
}

// -----

func.func @negative_cast_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'weft.cast' op requires the same shape for all operands and results}}
  %0 = weft.cast %x : tensor<4xf32> -> tensor<8xf16>
  return
}

// -----

// Sizes are checked without overflow: 2^64 elements.
func.func @negative_too_many_elements(%x: tensor<4294967296x4294967296xf32>) {
  // expected-error @+1 {{'weft.relu' op 'tensor<4294967296x4294967296xf32>' needs more than 281474976710656 bytes (2^48), the largest tensor supported}}
  %0 = weft.relu %x : tensor<4294967296x4294967296xf32>
  return
}

// -----

// 2^64 bytes: the element count fits int64, the byte size does not.
func.func @negative_too_many_bytes(%x: tensor<4611686018427387904x4xf32>) {
  // expected-error @+1 {{'weft.neg' op 'tensor<4611686018427387904x4xf32>' needs more than 281474976710656 bytes}}
  %0 = weft.neg %x : tensor<4611686018427387904x4xf32>
  return
}

// -----

// A result type is checked too.
func.func @negative_huge_result(%x: tensor<8xf32>) {
  // expected-error @+1 {{'weft.broadcast_to' op 'tensor<1099511627776x1099511627776x8xf32>' needs more than 281474976710656 bytes}}
  %0 = weft.broadcast_to %x : tensor<8xf32> -> tensor<1099511627776x1099511627776x8xf32>
  return
}

// -----

func.func @negative_rank(%x: tensor<1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1xf32>) {
  // expected-error @+1 {{'weft.relu' op 'tensor<1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1xf32>' has rank 17; at most 16 dims are supported}}
  %0 = weft.relu %x : tensor<1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1x1xf32>
  return
}

// -----

func.func @negative_embedding_empty_table(%t: tensor<0x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{'weft.embedding' op table 'tensor<0x4xf32>' has no rows; indices cannot be clamped into it}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.embedding %t, %i : tensor<0x4xf32>, tensor<3xi64> -> tensor<3x4xf32>
  return
}

// -----

func.func @negative_cross_entropy_no_classes(%l: tensor<4x0xf32>, %y: tensor<4xi64>) {
  // expected-error @+2 {{'weft.cross_entropy' op logits 'tensor<4x0xf32>' have no classes; no label can be valid}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.cross_entropy %l, %y : tensor<4x0xf32>, tensor<4xi64> -> tensor<f32>
  return
}

// -----

func.func @negative_reduce_max_empty_axis(%x: tensor<3x0xf32>) {
  // expected-error @+2 {{'weft.reduce_max' op reduces axis 1 of 'tensor<3x0xf32>', which is empty; a maximum needs at least one element}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.reduce_max %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
  return
}

// -----

func.func @negative_pool_empty_spatial(%x: tensor<1x1x0x4xf32>) {
  // expected-error @+2 {{'weft.avg_pool2d' op input 'tensor<1x1x0x4xf32>' has an empty spatial dim; every window would hold only padding}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.avg_pool2d %x {kernel = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : tensor<1x1x0x4xf32> -> tensor<1x1x1x5xf32>
  return
}

// -----

func.func @negative_conv_huge_padding(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x2x2xf32>) {
  // expected-error @+2 {{'weft.conv2d' op strides, padding and dilations must be below 2^31, got strides [1, 1], padding [9223372036854775807, 9223372036854775807, 9223372036854775807, 9223372036854775807], dilations [1, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.conv2d %x, %w {padding = array<i64: 9223372036854775807, 9223372036854775807, 9223372036854775807, 9223372036854775807>} : tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @negative_erf_of_int(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of f32/f16/bf16}}
  %0 = weft.erf %x : tensor<4xi32>
  return
}

// -----

func.func @negative_compare_element_types(%a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'weft.compare' op operand element types differ: 'f32' vs 'i32'}}
  %0 = weft.compare lt, %a, %b : tensor<4xf32>, tensor<4xi32>
  return
}

// -----

func.func @negative_compare_shapes(%a: tensor<4x8xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'weft.compare' op shapes [4, 8] and [4] are not broadcast-compatible}}
  %0 = weft.compare eq, %a, %b : tensor<4x8xf32>, tensor<4xf32>
  return
}

// -----

func.func @negative_compare_predicate(%a: tensor<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'predicate' [eq, ne, lt, le, gt, ge]}}
  %0 = weft.compare gtx, %a, %a : tensor<4xf32>
  return
}

// -----

func.func @negative_pad_entries(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.pad' op low, high and interior need one entry per dim (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.pad %x low = [1] high = [1] : tensor<4x8xf32> -> tensor<6xf32>
  return
}

// -----

func.func @negative_pad_interior_entries(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.pad' op low, high and interior need one entry per dim (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.pad %x low = [0, 0] high = [0, 0] interior = [1] : tensor<4x8xf32> -> tensor<7x8xf32>
  return
}

// -----

func.func @negative_pad_negative(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.pad' op dim 1: padding (low -1, high 0, interior 0) must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.pad %x low = [0, -1] high = [0, 0] : tensor<4x8xf32> -> tensor<4x7xf32>
  return
}

// -----

func.func @negative_pad_negative_interior(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.pad' op dim 0: padding (low 0, high 0, interior -1) must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.pad %x low = [0, 0] high = [0, 0] interior = [-1, 0] : tensor<4x8xf32> -> tensor<1x8xf32>
  return
}

// -----

func.func @negative_pad_overflow(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.pad' op dim 0: the padded size overflows the tensor limits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.pad %x low = [0, 0] high = [0, 0] interior = [4611686018427387904, 0] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @negative_pad_result_type(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{'weft.pad' op inferred type(s) 'tensor<4x10xf32>' are incompatible with return type(s) of operation 'tensor<4x9xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = weft.pad %x low = [0, 1] high = [0, 1] : tensor<4x8xf32> -> tensor<4x9xf32>
  return
}

// -----

func.func @negative_reverse_axis(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'weft.reverse' op axis 2 is out of range [0, 2)}}
  %0 = weft.reverse %x axes = [2] : tensor<4x8xf32>
  return
}

// -----

func.func @negative_reverse_negative_axis(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'weft.reverse' op axis -1 is out of range [0, 2)}}
  %0 = weft.reverse %x axes = [-1] : tensor<4x8xf32>
  return
}

// -----

func.func @negative_reverse_repeated(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'weft.reverse' op axis 1 is repeated}}
  %0 = weft.reverse %x axes = [1, 0, 1] : tensor<4x8xf32>
  return
}

// -----

func.func @negative_one_hot_shape(%l: tensor<8xi64>) {
  // expected-error @+1 {{'weft.one_hot' op result shape [4, 10] must be the labels' shape [8] followed by the number of classes}}
  %0 = weft.one_hot %l : tensor<8xi64> -> tensor<4x10xf32>
  return
}

// -----

func.func @negative_one_hot_rank(%l: tensor<8xi64>) {
  // expected-error @+1 {{'weft.one_hot' op result shape [8] must be the labels' shape [8] followed by the number of classes}}
  %0 = weft.one_hot %l : tensor<8xi64> -> tensor<8xf32>
  return
}

// -----

func.func @negative_one_hot_no_classes(%l: tensor<8xi64>) {
  // expected-error @+1 {{'weft.one_hot' op needs at least one class, got 0}}
  %0 = weft.one_hot %l : tensor<8xi64> -> tensor<8x0xf32>
  return
}

// -----

func.func @negative_one_hot_float_labels(%l: tensor<8xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of i32/i64}}
  %0 = weft.one_hot %l : tensor<8xf32> -> tensor<8x4xf32>
  return
}

// -----

func.func @negative_one_hot_int_result(%l: tensor<8xi64>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of f32/f16/bf16}}
  %0 = weft.one_hot %l : tensor<8xi64> -> tensor<8x4xi32>
  return
}

// -----

func.func @negative_embedding_grad_element_type(%g: tensor<4x8xf32>, %i: tensor<4xi64>) {
  // expected-error @+1 {{'weft.embedding_grad' op result element type 'f16' differs from the gradient's 'f32'}}
  %0 = weft.embedding_grad %g, %i : tensor<4x8xf32>, tensor<4xi64> -> tensor<10x8xf16>
  return
}

// -----

func.func @negative_embedding_grad_indices(%g: tensor<4x8xf32>, %i: tensor<5xi64>) {
  // expected-error @+1 {{'weft.embedding_grad' op gradient shape [4, 8] must be the indices' shape [5] followed by the row size}}
  %0 = weft.embedding_grad %g, %i : tensor<4x8xf32>, tensor<5xi64> -> tensor<10x8xf32>
  return
}

// -----

func.func @negative_embedding_grad_rank(%g: tensor<4xf32>, %i: tensor<4xi64>) {
  // expected-error @+1 {{'weft.embedding_grad' op gradient shape [4] must be the indices' shape [4] followed by the row size}}
  %0 = weft.embedding_grad %g, %i : tensor<4xf32>, tensor<4xi64> -> tensor<10x1xf32>
  return
}

// -----

func.func @negative_embedding_grad_row_size(%g: tensor<4x8xf32>, %i: tensor<4xi64>) {
  // expected-error @+1 {{'weft.embedding_grad' op result shape [10, 4] must be [V, 8]}}
  %0 = weft.embedding_grad %g, %i : tensor<4x8xf32>, tensor<4xi64> -> tensor<10x4xf32>
  return
}

// -----

func.func @negative_embedding_grad_table_rank(%g: tensor<4x8xf32>, %i: tensor<4xi64>) {
  // expected-error @+1 {{'weft.embedding_grad' op result shape [10, 8, 1] must be [V, 8]}}
  %0 = weft.embedding_grad %g, %i : tensor<4x8xf32>, tensor<4xi64> -> tensor<10x8x1xf32>
  return
}

// -----

func.func @negative_embedding_grad_no_rows(%g: tensor<4x8xf32>, %i: tensor<4xi64>) {
  // expected-error @+1 {{'weft.embedding_grad' op table has no rows; indices cannot be clamped into it}}
  %0 = weft.embedding_grad %g, %i : tensor<4x8xf32>, tensor<4xi64> -> tensor<0x8xf32>
  return
}

// -----

func.func @negative_embedding_grad_float_ids(%g: tensor<4x8xf32>, %i: tensor<4xf32>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of i32/i64}}
  %0 = weft.embedding_grad %g, %i : tensor<4x8xf32>, tensor<4xf32> -> tensor<10x8xf32>
  return
}
