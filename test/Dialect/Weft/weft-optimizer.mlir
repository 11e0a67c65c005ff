// RUN: weft-opt %s --split-input-file --weft-autodiff --weft-optimizer --canonicalize --cse | FileCheck %s

// Training steps: weft-autodiff differentiates a function with
// weft.optimizer (and no weft.autodiff) with respect to its float
// weft.state arguments; weft-optimizer replaces those gradients by the
// update. canonicalize folds the loss seed away, so the gradient of w in
// sum(w * x) is x itself.

// Plain SGD: p - lr * g, lr a new state argument initialized to lr.
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4xf32> {weft.name = "w", weft.state},
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32> {weft.name = "x"},
// CHECK-SAME:      %[[LR:[^:]+]]: tensor<f32> {weft.init = dense<1.000000e-01> : tensor<f32>, weft.name = "optimizer.lr", weft.state})
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf32> {weft.name = "w", weft.update = 0 : i64}) {
// CHECK-NOT:     weft.optimizer
// CHECK:         %[[P:.*]] = weft.mul %[[W]], %[[X]]
// CHECK-NEXT:    %[[L:.*]] = weft.reduce_sum %[[P]]
// CHECK-NEXT:    %[[S:.*]] = weft.mul %[[X]], %[[LR]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[NEW:.*]] = weft.sub %[[W]], %[[S]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[NEW]] : tensor<f32>, tensor<4xf32>
func.func @sgd(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %x: tensor<4xf32> {weft.name = "x"}) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = 0.1 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Weight decay adds wd * p to the gradient.
// CHECK-LABEL: func.func @sgd_weight_decay(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4xf32> {weft.name = "w", weft.state}, %[[X:[^:]+]]: tensor<4xf32>,
// CHECK-SAME:      %[[LR:[^:]+]]: tensor<f32> {weft.init = dense<1.000000e-01> : tensor<f32>, weft.name = "optimizer.lr", weft.state})
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf32> {weft.name = "w", weft.update = 0 : i64}) {
// CHECK:         %[[WD:.*]] = weft.constant dense<2.500000e-01> : tensor<f32>
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK-NEXT:    %[[DW:.*]] = weft.mul %[[W]], %[[WD]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[G:.*]] = weft.add %[[X]], %[[DW]] : tensor<4xf32>
// CHECK-NEXT:    %[[S:.*]] = weft.mul %[[G]], %[[LR]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[NEW:.*]] = weft.sub %[[W]], %[[S]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[NEW]]
func.func @sgd_weight_decay(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = 0.1 : f64, weight_decay = 0.25 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Momentum: a zero-initialized P.momentum_buffer state, buf' = m buf + g,
// p' = p - lr buf'; both are weft.update results, the buffer first.
// CHECK-LABEL: func.func @sgd_momentum(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<2x3xf32> {weft.name = "w", weft.state}, %[[X:[^:]+]]: tensor<2x3xf32>,
// CHECK-SAME:      %[[LR:[^:]+]]: tensor<f32> {weft.init = dense<5.000000e-01> : tensor<f32>, weft.name = "optimizer.lr", weft.state},
// CHECK-SAME:      %[[BUF:[^:]+]]: tensor<2x3xf32> {weft.init = dense<0.000000e+00> : tensor<2x3xf32>, weft.name = "w.momentum_buffer", weft.state})
// CHECK-SAME:      -> (tensor<f32>, tensor<2x3xf32> {weft.name = "w.momentum_buffer", weft.update = 3 : i64}, tensor<2x3xf32> {weft.name = "w", weft.update = 0 : i64}) {
// CHECK:         %[[M:.*]] = weft.constant dense<0.899999976> : tensor<f32>
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK-NEXT:    %[[MB:.*]] = weft.mul %[[BUF]], %[[M]] : tensor<2x3xf32>, tensor<f32>
// CHECK-NEXT:    %[[NBUF:.*]] = weft.add %[[MB]], %[[X]] : tensor<2x3xf32>
// CHECK-NEXT:    %[[S:.*]] = weft.mul %[[NBUF]], %[[LR]] : tensor<2x3xf32>, tensor<f32>
// CHECK-NEXT:    %[[NEW:.*]] = weft.sub %[[W]], %[[S]] : tensor<2x3xf32>
// CHECK-NEXT:    return %[[L]], %[[NBUF]], %[[NEW]] : tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>
func.func @sgd_momentum(%w: tensor<2x3xf32> {weft.state, weft.name = "w"}, %x: tensor<2x3xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = 0.5 : f64, momentum = 0.9 : f64}} {
  %p = weft.mul %w, %x : tensor<2x3xf32>
  %l = weft.reduce_sum %p axes = [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// AdamW with every option. New state after the function's arguments:
// optimizer.lr, optimizer.step, then P.exp_avg and P.exp_avg_sq per
// parameter, all zero but lr. The update results follow the loss and the
// gradient of x (not state: kept) in that order: step, exp_avg,
// exp_avg_sq, the parameter.
// CHECK-LABEL: func.func @adamw(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4xf32> {weft.name = "w", weft.state},
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32> {weft.name = "x"},
// CHECK-SAME:      %[[LR:[^:]+]]: tensor<f32> {weft.init = dense<0.00999999977> : tensor<f32>, weft.name = "optimizer.lr", weft.state},
// CHECK-SAME:      %[[T:[^:]+]]: tensor<f32> {weft.init = dense<0.000000e+00> : tensor<f32>, weft.name = "optimizer.step", weft.state},
// CHECK-SAME:      %[[M:[^:]+]]: tensor<4xf32> {weft.init = dense<0.000000e+00> : tensor<4xf32>, weft.name = "w.exp_avg", weft.state},
// CHECK-SAME:      %[[V:[^:]+]]: tensor<4xf32> {weft.init = dense<0.000000e+00> : tensor<4xf32>, weft.name = "w.exp_avg_sq", weft.state})
// CHECK-SAME:      -> (tensor<f32>,
// CHECK-SAME:          tensor<4xf32> {weft.grad_of = 1 : i64, weft.name = "grad.x"},
// CHECK-SAME:          tensor<f32> {weft.name = "optimizer.step", weft.update = 3 : i64},
// CHECK-SAME:          tensor<4xf32> {weft.name = "w.exp_avg", weft.update = 4 : i64},
// CHECK-SAME:          tensor<4xf32> {weft.name = "w.exp_avg_sq", weft.update = 5 : i64},
// CHECK-SAME:          tensor<4xf32> {weft.name = "w", weft.update = 0 : i64}) {
// CHECK-NOT:     weft.autodiff
// CHECK-DAG:     %[[EPS:.*]] = weft.constant dense<9.99999997E-7> : tensor<f32>
// CHECK-DAG:     %[[OMB1:.*]] = weft.constant dense<2.000000e-01> : tensor<f32>
// CHECK-DAG:     %[[WD:.*]] = weft.constant dense<5.000000e-02> : tensor<f32>
// CHECK-DAG:     %[[B2:.*]] = weft.constant dense<9.900000e-01> : tensor<f32>
// CHECK-DAG:     %[[B1:.*]] = weft.constant dense<8.000000e-01> : tensor<f32>
// CHECK-DAG:     %[[OMB2:.*]] = weft.constant dense<0.00999999977> : tensor<f32>
// CHECK-DAG:     %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[E:.*]] = weft.exp
// CHECK-NEXT:    %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK-DAG:     %[[GX:.*]] = weft.mul %[[E]], %[[W]] : tensor<4xf32>
// CHECK-DAG:     %[[GW:.*]] = weft.mul %[[E]], %[[X]] : tensor<4xf32>
// Step count t + 1 and bias corrections 1 - beta^t (in whichever
// precision): the step size lr / (1 - beta1^t) and sqrt(1 - beta2^t), used
// below as %[[STEP]] and %[[BC2S]].
// CHECK:         %[[T1:.*]] = weft.add %[[T]], %[[ONE]] : tensor<f32>
// CHECK:         weft.pow
// CHECK:         weft.pow
// CHECK:         weft.div
// CHECK:         weft.sqrt
// Decoupled weight decay: p (1 - lr wd).
// CHECK:         %[[LRWD:.*]] = weft.mul %[[LR]], %[[WD]] : tensor<f32>
// CHECK-NEXT:    %[[DECAY:.*]] = weft.sub %[[ONE]], %[[LRWD]] : tensor<f32>
// CHECK-NEXT:    %[[PD:.*]] = weft.mul %[[W]], %[[DECAY]] : tensor<4xf32>, tensor<f32>
// Moments.
// CHECK-NEXT:    %[[G1:.*]] = weft.mul %[[GW]], %[[OMB1]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[M1:.*]] = weft.mul %[[M]], %[[B1]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[NM:.*]] = weft.add %[[M1]], %[[G1]] : tensor<4xf32>
// CHECK-NEXT:    %[[GG:.*]] = weft.mul %[[GW]], %[[GW]] : tensor<4xf32>
// CHECK-NEXT:    %[[G2:.*]] = weft.mul %[[GG]], %[[OMB2]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[V1:.*]] = weft.mul %[[V]], %[[B2]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[NV:.*]] = weft.add %[[V1]], %[[G2]] : tensor<4xf32>
// p' = p (1 - lr wd) - lr / bc1 * m' / (sqrt(v') / sqrt(bc2) + eps).
// CHECK-NEXT:    %[[SV:.*]] = weft.sqrt %[[NV]] : tensor<4xf32>
// CHECK-NEXT:    %[[SVC:.*]] = weft.div %[[SV]], %[[BC2S:.*]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[DEN:.*]] = weft.add %[[SVC]], %[[EPS]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[R:.*]] = weft.div %[[NM]], %[[DEN]] : tensor<4xf32>
// CHECK-NEXT:    %[[U:.*]] = weft.mul %[[STEP:.*]], %[[R]] : tensor<f32>, tensor<4xf32>
// CHECK-NEXT:    %[[NEW:.*]] = weft.sub %[[PD]], %[[U]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[GX]], %[[T1]], %[[NM]], %[[NV]], %[[NEW]]
func.func @adamw(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %x: tensor<4xf32> {weft.name = "x"}) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>,
                weft.optimizer = {kind = "adamw", lr = 0.01 : f64, beta1 = 0.8 : f64, beta2 = 0.99 : f64,
                                  eps = 1.0e-6 : f64, weight_decay = 0.05 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %e = weft.exp %p : tensor<4xf32>
  %l = weft.reduce_sum %e axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// AdamW's defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight
// decay 0.01.
// CHECK-LABEL: func.func @adamw_defaults(
// CHECK-SAME:      weft.init = dense<1.000000e-03> : tensor<f32>, weft.name = "optimizer.lr"
// CHECK-DAG:     weft.constant dense<9.99999993E-9> : tensor<f32>
// CHECK-DAG:     weft.constant dense<1.000000e-03> : tensor<f32>
// CHECK-DAG:     weft.constant dense<1.000000e-01> : tensor<f32>
// CHECK-DAG:     weft.constant dense<9.990000e-01> : tensor<f32>
// CHECK-DAG:     weft.constant dense<0.899999976> : tensor<f32>
// CHECK-DAG:     %[[WD:.*]] = weft.constant dense<0.00999999977> : tensor<f32>
// CHECK:         weft.mul %{{.*}}, %[[WD]] : tensor<f32>
// CHECK:         return
func.func @adamw_defaults(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "adamw"}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// weight_decay = 0 (an integer is a number too): no decay factor.
// CHECK-LABEL: func.func @adamw_no_weight_decay(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4xf32> {weft.name = "w", weft.state}
// CHECK:         %[[U:.*]] = weft.mul %{{.*}}, %{{.*}} : tensor<f32>, tensor<4xf32>
// CHECK-NEXT:    %[[NEW:.*]] = weft.sub %[[W]], %[[U]] : tensor<4xf32>
// CHECK-NEXT:    return
func.func @adamw_no_weight_decay(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "adamw", lr = 0.01 : f64, weight_decay = 0 : i64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// clip_norm: all gradients are scaled by min(1, clip / (norm + 1e-6)), the
// norm over both parameters (a 4-vector and a scalar).
// CHECK-LABEL: func.func @clip_norm(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4xf32> {weft.name = "w", weft.state}, %[[B:[^:]+]]: tensor<f32> {weft.name = "b", weft.state}, %[[X:[^:]+]]: tensor<4xf32>,
// CHECK-SAME:      %[[LR:[^:]+]]: tensor<f32> {weft.init = dense<5.000000e-01> : tensor<f32>, weft.name = "optimizer.lr", weft.state})
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf32> {weft.name = "w", weft.update = 0 : i64}, tensor<f32> {weft.name = "b", weft.update = 1 : i64}) {
// CHECK-DAG:     %[[CLIP:.*]] = weft.constant dense<2.000000e+00> : tensor<f32>
// CHECK-DAG:     %[[TINY:.*]] = weft.constant dense<9.99999997E-7> : tensor<f32>
// CHECK-DAG:     %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[L:.*]] = weft.reduce_sum %{{.*}} axes = [0] : tensor<4xf32> -> tensor<f32>
// CHECK:         %[[GB:.*]] = weft.reshape %{{.*}} : tensor<1xf32> -> tensor<f32>
// CHECK-NEXT:    %[[GW:.*]] = weft.mul %{{.*}}, %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[SQW:.*]] = weft.mul %[[GW]], %[[GW]] : tensor<4xf32>
// CHECK-NEXT:    %[[SW:.*]] = weft.reduce_sum %[[SQW]] axes = [0] : tensor<4xf32> -> tensor<f32>
// CHECK-NEXT:    %[[SQB:.*]] = weft.mul %[[GB]], %[[GB]] : tensor<f32>
// CHECK-NEXT:    %[[SUM:.*]] = weft.add %[[SW]], %[[SQB]] : tensor<f32>
// CHECK-NEXT:    %[[NORM:.*]] = weft.sqrt %[[SUM]] : tensor<f32>
// CHECK-NEXT:    %[[NT:.*]] = weft.add %[[NORM]], %[[TINY]] : tensor<f32>
// CHECK-NEXT:    %[[C:.*]] = weft.div %[[CLIP]], %[[NT]] : tensor<f32>
// CHECK-NEXT:    %[[K:.*]] = weft.min %[[C]], %[[ONE]] : tensor<f32>
// CHECK-NEXT:    %[[CW:.*]] = weft.mul %[[GW]], %[[K]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[SW2:.*]] = weft.mul %[[CW]], %[[LR]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[NW:.*]] = weft.sub %[[W]], %[[SW2]] : tensor<4xf32>
// CHECK-NEXT:    %[[CB:.*]] = weft.mul %[[GB]], %[[K]] : tensor<f32>
// CHECK-NEXT:    %[[SB:.*]] = weft.mul %[[CB]], %[[LR]] : tensor<f32>
// CHECK-NEXT:    %[[NB:.*]] = weft.sub %[[B]], %[[SB]] : tensor<f32>
// CHECK-NEXT:    return %[[L]], %[[NW]], %[[NB]]
func.func @clip_norm(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %b: tensor<f32> {weft.state, weft.name = "b"},
                     %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = 0.5 : f64, clip_norm = 2.0 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %q = weft.mul %p, %b : tensor<4xf32>, tensor<f32>
  %l = weft.reduce_sum %q axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An f16 parameter: the f32 learning rate is cast to f16 for the update.
// CHECK-LABEL: func.func @sgd_f16(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4xf16> {weft.name = "w", weft.state}, %[[X:[^:]+]]: tensor<4xf16>,
// CHECK-SAME:      %[[LR:[^:]+]]: tensor<f32> {weft.init = dense<5.000000e-01> : tensor<f32>, weft.name = "optimizer.lr", weft.state})
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf16> {weft.name = "w", weft.update = 0 : i64}) {
// CHECK:         %[[SEED:.*]] = weft.cast %{{.*}} : tensor<4xf32> -> tensor<4xf16>
// CHECK-NEXT:    %[[G:.*]] = weft.mul %[[SEED]], %[[X]] : tensor<4xf16>
// CHECK-NEXT:    %[[LRH:.*]] = weft.cast %[[LR]] : tensor<f32> -> tensor<f16>
// CHECK-NEXT:    %[[S:.*]] = weft.mul %[[G]], %[[LRH]] : tensor<4xf16>, tensor<f16>
// CHECK-NEXT:    %[[NEW:.*]] = weft.sub %[[W]], %[[S]] : tensor<4xf16>
// CHECK-NEXT:    return %{{.*}}, %[[NEW]] : tensor<f32>, tensor<4xf16>
func.func @sgd_f16(%w: tensor<4xf16> {weft.state, weft.name = "w"}, %x: tensor<4xf16>) -> tensor<f32>
    attributes {weft.optimizer = {kind = "sgd", lr = 0.5 : f64}} {
  %p = weft.mul %w, %x : tensor<4xf16>
  %c = weft.cast %p : tensor<4xf16> -> tensor<4xf32>
  %l = weft.reduce_sum %c axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Integer state (a counter) is not a parameter: no gradient, no update; the
// function's own results stay first.
// CHECK-LABEL: func.func @negative_integer_state(
// CHECK-SAME:      %[[W:[^:]+]]: tensor<4xf32> {weft.name = "w", weft.state}, %[[N:[^:]+]]: tensor<i32> {weft.name = "n", weft.state}, %[[X:[^:]+]]: tensor<4xf32>,
// CHECK-SAME:      %[[LR:[^:]+]]: tensor<f32> {weft.init = dense<1.000000e+00> : tensor<f32>, weft.name = "optimizer.lr", weft.state})
// CHECK-SAME:      -> (tensor<f32>, tensor<i32>, tensor<4xf32> {weft.name = "w", weft.update = 0 : i64}) {
// CHECK:         return %{{.*}}, %[[N]], %{{.*}} : tensor<f32>, tensor<i32>, tensor<4xf32>
func.func @negative_integer_state(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %n: tensor<i32> {weft.state, weft.name = "n"},
                                  %x: tensor<4xf32>) -> (tensor<f32>, tensor<i32>)
    attributes {weft.optimizer = {kind = "sgd", lr = 1 : i64}} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l, %n : tensor<f32>, tensor<i32>
}

// -----

// Without weft.optimizer the gradients stay results and nothing is added.
// CHECK-LABEL: func.func @negative_no_optimizer(
// CHECK-SAME:      %{{[^:]+}}: tensor<4xf32> {weft.name = "w", weft.state}, %[[X:[^:]+]]: tensor<4xf32>)
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.w"}) {
// CHECK-NOT:     weft.update
// CHECK:         return %{{.*}}, %[[X]] : tensor<f32>, tensor<4xf32>
func.func @negative_no_optimizer(%w: tensor<4xf32> {weft.state, weft.name = "w"}, %x: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %p = weft.mul %w, %x : tensor<4xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
