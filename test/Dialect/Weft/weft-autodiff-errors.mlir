// RUN: weft-opt %s --split-input-file --weft-autodiff -verify-diagnostics

// expected-error @+1 {{'func.func' op weft-autodiff: argument 1 ('labels') has type 'tensor<8xi64>': only float tensors have gradients (integer ids and labels are not differentiable)}}
func.func @integer_labels(%z: tensor<8x10xf32>, %labels: tensor<8xi64> {weft.name = "labels"}) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1>} {
  %l = weft.cross_entropy %z, %labels : tensor<8x10xf32>, tensor<8xi64> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op weft-autodiff: the loss (first result) must be a float tensor of one element, got 'tensor<4x5xf32>'}}
func.func @loss_not_one_element(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<4x5xf32> attributes {weft.autodiff = array<i64: 0>} {
  %c = weft.matmul %a, %b : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  return %c : tensor<4x5xf32>
}

// -----

// expected-error @+1 {{'func.func' op weft-autodiff: the loss (first result) must be a float tensor of one element, got 'tensor<i32>'}}
func.func @integer_loss(%a: tensor<i32>) -> tensor<i32> attributes {weft.autodiff = array<i64: 0>} {
  return %a : tensor<i32>
}

// -----

// expected-error @+1 {{'func.func' op weft-autodiff: argument index 2 is out of range (the function has 2 arguments)}}
func.func @index_out_of_range(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 2>} {
  %c = weft.matmul %a, %b : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op weft-autodiff: argument index -1 is out of range (the function has 1 arguments)}}
func.func @negative_index(%a: tensor<f32>) -> tensor<f32> attributes {weft.autodiff = array<i64: -1>} {
  return %a : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op weft-autodiff: argument 0 is listed twice}}
func.func @repeated_index(%a: tensor<4x3xf32>, %b: tensor<3x5xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0, 1, 0>} {
  %c = weft.matmul %a, %b : tensor<4x3xf32>, tensor<3x5xf32> -> tensor<4x5xf32>
  %l = weft.reduce_sum %c axes = [0, 1] : tensor<4x5xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op weft-autodiff: the function returns nothing; its first result must be the loss}}
func.func @no_results(%a: tensor<f32>) attributes {weft.autodiff = array<i64: 0>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op weft-autodiff: 'weft.autodiff' must list argument indices (array<i64: ...>)}}
func.func @not_an_index_list(%a: tensor<f32>) -> tensor<f32> attributes {weft.autodiff = [0]} {
  return %a : tensor<f32>
}

