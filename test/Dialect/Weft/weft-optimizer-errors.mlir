// RUN: weft-opt %s --split-input-file --weft-autodiff --weft-optimizer --verify-diagnostics
// RUN: not weft-opt %s --weft-optimizer 2>&1 | FileCheck %s --check-prefix=ALONE

// User errors of weft.optimizer. The second RUN line reads the whole file
// as one module and runs weft-optimizer alone: it stops at the first
// function, which still has weft.autodiff (valid for the first RUN line).

// ALONE: :[[@LINE+2]]:1: error: 'func.func' op weft-optimizer: run weft-autodiff first
// ALONE-NOT: 'func.func' op weft-
func.func @needs_autodiff_first(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>, weft.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: unknown optimizer 'adam' (sgd or adamw)}}
func.func @unknown_kind(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "adam", lr = 0.1 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: 'weft.optimizer' must be a dictionary with kind = "sgd" or "adamw"}}
func.func @missing_kind(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {lr = 0.1 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: 'weft.optimizer' must be a dictionary with kind = "sgd" or "adamw"}}
func.func @not_a_dictionary(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = "sgd"} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Momentum is an SGD option.
// expected-error @+1 {{weft-optimizer: 'momentum' is not an option of adamw (lr, beta1, beta2, eps, weight_decay, clip_norm)}}
func.func @unknown_option_adamw(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "adamw", momentum = 0.9 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// And the betas are AdamW's.
// expected-error @+1 {{weft-optimizer: 'beta1' is not an option of sgd (lr, momentum, weight_decay, clip_norm)}}
func.func @unknown_option_sgd(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", beta1 = 0.9 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: 'lr' must be a non-negative finite number, got -1.000000e-01}}
func.func @negative_lr(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = -0.1 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: 'clip_norm' must be a non-negative finite number, got INF}}
func.func @infinite_clip_norm(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", clip_norm = 0x7FF0000000000000 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: beta1 and beta2 must be below 1}}
func.func @beta1_one(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "adamw", beta1 = 1.0 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: beta1 and beta2 must be below 1}}
func.func @beta2_above_one(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "adamw", beta2 = 1.5 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: eps must be positive}}
func.func @eps_zero(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "adamw", eps = 0.0 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// expected-error @+1 {{weft-optimizer: 'lr' must be a number}}
func.func @not_a_number(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = "fast"}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// No float weft.state argument: weft-autodiff, which picks the parameters,
// reports it.
// expected-error @+1 {{weft-autodiff: the function has an optimizer but no parameter to train (no float 'weft.state' argument)}}
func.func @no_state(%w: tensor<4xf32>, %n: tensor<i32> {weft.state}) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
  %l = weft.reduce_sum %w axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// weft.autodiff names only a non-state argument: nothing to update.
// expected-error @+1 {{weft-optimizer: no parameter to train (no float 'weft.state' argument has a gradient)}}
func.func @no_state_gradient(%w: tensor<4xf32> {weft.state}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 1>, weft.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
