// RUN: weft-opt %s --split-input-file --weft-autodiff | FileCheck %s

// Gradient rules of the elementwise ops. Each case differentiates
// reduce_sum(op(x)), so the gradient reaching the op is the loss seed (a
// one) broadcast to the op's shape: %[[G]]. Operands built by one C++
// expression may come in either order, hence the CHECK-DAGs.

// The gradient results follow the loss with weft.grad_of and weft.name
// (from the argument's weft.name); weft.autodiff is gone.
// CHECK-LABEL: func.func @result_attrs(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32> {weft.name = "x"}, %[[W:[^:]+]]: tensor<4xf32>)
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf32> {weft.grad_of = 1 : i64, weft.name = "grad.arg1"}, tensor<4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.x"}) {
// CHECK-NOT:     weft.autodiff
// CHECK:         %[[N:.*]] = weft.neg %[[W]] : tensor<4xf32>
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[C:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK:         %[[R:.*]] = weft.reshape %[[C]] : tensor<f32> -> tensor<1xf32>
// CHECK:         %[[G:.*]] = weft.broadcast_to %[[R]] : tensor<1xf32> -> tensor<4xf32>
// CHECK-DAG:     %[[GX:.*]] = weft.mul %[[G]], %[[X]] : tensor<4xf32>
// CHECK-DAG:     %[[DX:.*]] = weft.mul %[[G]], %[[N]] : tensor<4xf32>
// CHECK:         %[[DW:.*]] = weft.neg %[[GX]] : tensor<4xf32>
// CHECK:         return %[[L]], %[[DW]], %[[DX]] : tensor<f32>, tensor<4xf32>, tensor<4xf32>
func.func @result_attrs(%x: tensor<4xf32> {weft.name = "x"}, %w: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 1, 0>} {
  %n = weft.neg %w : tensor<4xf32>
  %y = weft.mul %n, %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @neg(
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[D:.*]] = weft.neg %[[G]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @neg(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.neg %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// sign(x) = (x > 0) - (x < 0): zero at zero.
// CHECK-LABEL: func.func @abs(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK:         %[[Z0:.*]] = weft.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[GT:.*]] = weft.compare gt, %[[X]], %[[Z0]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[Z1:.*]] = weft.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[LT:.*]] = weft.compare lt, %[[X]], %[[Z1]] : tensor<4xf32>, tensor<f32>
// CHECK:         %[[S:.*]] = weft.sub %[[GT]], %[[LT]] : tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[S]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @abs(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.abs %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d exp(x) = exp(x): the forward result is reused.
// CHECK-LABEL: func.func @exp(
// CHECK:         %[[Y:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[Y]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[Y]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @exp(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.exp %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @log(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[D:.*]] = weft.div %[[G]], %[[X]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @log(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.log %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d sqrt(x) = 0.5 / sqrt(x).
// CHECK-LABEL: func.func @sqrt(
// CHECK:         %[[Y:.*]] = weft.sqrt
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[Y]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[H:.*]] = weft.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT:    %[[GH:.*]] = weft.mul %[[G]], %[[H]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[D:.*]] = weft.div %[[GH]], %[[Y]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @sqrt(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.sqrt %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d rsqrt(x) = -0.5 rsqrt(x)^3.
// CHECK-LABEL: func.func @rsqrt(
// CHECK:         %[[Y:.*]] = weft.rsqrt
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[Y]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-DAG:     %[[Y2:.*]] = weft.mul %[[Y]], %[[Y]] : tensor<4xf32>
// CHECK-DAG:     %[[Y3:.*]] = weft.mul %[[Y]], %[[Y2]] : tensor<4xf32>
// CHECK-DAG:     %[[H:.*]] = weft.constant dense<-5.000000e-01> : tensor<f32>
// CHECK-DAG:     %[[GH:.*]] = weft.mul %[[G]], %[[H]] : tensor<4xf32>, tensor<f32>
// CHECK:         %[[D:.*]] = weft.mul %[[GH]], %[[Y3]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @rsqrt(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.rsqrt %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d tanh(x) = 1 - tanh(x)^2, as g - g y^2.
// CHECK-LABEL: func.func @tanh(
// CHECK:         %[[Y:.*]] = weft.tanh
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[Y]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[Y2:.*]] = weft.mul %[[Y]], %[[Y]] : tensor<4xf32>
// CHECK-NEXT:    %[[GY2:.*]] = weft.mul %[[G]], %[[Y2]] : tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.sub %[[G]], %[[GY2]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @tanh(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.tanh %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d sigmoid(x) = y (1 - y).
// CHECK-LABEL: func.func @sigmoid(
// CHECK:         %[[Y:.*]] = weft.sigmoid
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[Y]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[OMY:.*]] = weft.sub %[[ONE]], %[[Y]] : tensor<f32>, tensor<4xf32>
// CHECK-NEXT:    %[[DY:.*]] = weft.mul %[[Y]], %[[OMY]] : tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[DY]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.sigmoid %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// The gradient passes where x > 0 (zero at zero).
// CHECK-LABEL: func.func @relu(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[Z:.*]] = weft.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[M:.*]] = weft.compare gt, %[[X]], %[[Z]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[M]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @relu(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.relu %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d silu(x) = s (1 + x (1 - s)), s = sigmoid(x).
// CHECK-LABEL: func.func @silu(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[S:.*]] = weft.sigmoid %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[OMS:.*]] = weft.sub %[[ONE]], %[[S]] : tensor<f32>, tensor<4xf32>
// CHECK-NEXT:    %[[XO:.*]] = weft.mul %[[X]], %[[OMS]] : tensor<4xf32>
// CHECK-NEXT:    %[[P:.*]] = weft.add %[[ONE]], %[[XO]] : tensor<f32>, tensor<4xf32>
// CHECK-NEXT:    %[[DY:.*]] = weft.mul %[[S]], %[[P]] : tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[DY]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @silu(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.silu %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d erf(x) = 2 / sqrt(pi) exp(-x^2).
// CHECK-LABEL: func.func @erf(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[X2:.*]] = weft.mul %[[X]], %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[NX2:.*]] = weft.neg %[[X2]] : tensor<4xf32>
// CHECK-NEXT:    %[[E:.*]] = weft.exp %[[NX2]] : tensor<4xf32>
// CHECK-NEXT:    %[[C:.*]] = weft.constant dense<1.12837923> : tensor<f32>
// CHECK-NEXT:    %[[GC:.*]] = weft.mul %[[G]], %[[C]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[GC]], %[[E]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @erf(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.erf %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Exact gelu: Phi(x) + x phi(x) with Phi(x) = (1 + erf(x / sqrt(2))) / 2
// and phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
// CHECK-LABEL: func.func @gelu(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[HALF:.*]] = weft.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT:    %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[RS2:.*]] = weft.constant dense<0.707106769> : tensor<f32>
// CHECK-NEXT:    %[[XS:.*]] = weft.mul %[[X]], %[[RS2]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[ERF:.*]] = weft.erf %[[XS]] : tensor<4xf32>
// CHECK-NEXT:    %[[OPE:.*]] = weft.add %[[ONE]], %[[ERF]] : tensor<f32>, tensor<4xf32>
// CHECK-NEXT:    %[[CDF:.*]] = weft.mul %[[HALF]], %[[OPE]] : tensor<f32>, tensor<4xf32>
// CHECK-NEXT:    %[[X2:.*]] = weft.mul %[[X]], %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[MH:.*]] = weft.constant dense<-5.000000e-01> : tensor<f32>
// CHECK-NEXT:    %[[X2H:.*]] = weft.mul %[[X2]], %[[MH]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[E:.*]] = weft.exp %[[X2H]] : tensor<4xf32>
// CHECK-NEXT:    %[[RS2PI:.*]] = weft.constant dense<0.398942292> : tensor<f32>
// CHECK-NEXT:    %[[PDF:.*]] = weft.mul %[[E]], %[[RS2PI]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[XPDF:.*]] = weft.mul %[[X]], %[[PDF]] : tensor<4xf32>
// CHECK-NEXT:    %[[DY:.*]] = weft.add %[[CDF]], %[[XPDF]] : tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[DY]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @gelu(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.gelu %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Tanh gelu: (1 + t) / 2 + x / 2 (1 - t^2) c (1 + 3k x^2) with
// t = tanh(c (x + k x^3)), c = sqrt(2 / pi), k = 0.044715.
// CHECK-LABEL: func.func @gelu_approximate(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-DAG:     %[[HALF:.*]] = weft.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG:     %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK-DAG:     %[[X2:.*]] = weft.mul %[[X]], %[[X]] : tensor<4xf32>
// CHECK-DAG:     %[[K:.*]] = weft.constant dense<4.471500e-02> : tensor<f32>
// CHECK-DAG:     %[[KX2:.*]] = weft.mul %[[X2]], %[[K]] : tensor<4xf32>, tensor<f32>
// CHECK-DAG:     %[[P1:.*]] = weft.add %[[ONE]], %[[KX2]] : tensor<f32>, tensor<4xf32>
// CHECK-DAG:     %[[IN:.*]] = weft.mul %[[X]], %[[P1]] : tensor<4xf32>
// CHECK-DAG:     %[[C:.*]] = weft.constant dense<0.797884583> : tensor<f32>
// CHECK-DAG:     %[[CIN:.*]] = weft.mul %[[IN]], %[[C]] : tensor<4xf32>, tensor<f32>
// CHECK-DAG:     %[[T:.*]] = weft.tanh %[[CIN]] : tensor<4xf32>
// CHECK-DAG:     %[[K3:.*]] = weft.constant dense<1.341450e-01> : tensor<f32>
// CHECK-DAG:     %[[K3X2:.*]] = weft.mul %[[X2]], %[[K3]] : tensor<4xf32>, tensor<f32>
// CHECK-DAG:     %[[DIN:.*]] = weft.add %[[ONE]], %[[K3X2]] : tensor<f32>, tensor<4xf32>
// CHECK-DAG:     %[[T2:.*]] = weft.mul %[[T]], %[[T]] : tensor<4xf32>
// CHECK-DAG:     %[[OMT2:.*]] = weft.sub %[[ONE]], %[[T2]] : tensor<f32>, tensor<4xf32>
// CHECK-DAG:     %[[HX:.*]] = weft.mul %[[HALF]], %[[X]] : tensor<f32>, tensor<4xf32>
// CHECK-DAG:     %[[OPT:.*]] = weft.add %[[ONE]], %[[T]] : tensor<f32>, tensor<4xf32>
// CHECK-DAG:     %[[A:.*]] = weft.mul %[[HALF]], %[[OPT]] : tensor<f32>, tensor<4xf32>
// CHECK:         %[[DY:.*]] = weft.add %[[A]], %{{.*}} : tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.mul %[[G]], %[[DY]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @gelu_approximate(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.gelu %x {approximate} : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A cast's gradient is cast back: the gradient of an f16 argument is f16.
// CHECK-LABEL: func.func @cast(
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf16> {weft.grad_of = 0 : i64, weft.name = "grad.arg0"})
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1xf32> -> tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.cast %[[G]] : tensor<4xf32> -> tensor<4xf16>
// CHECK-NEXT:    return %[[L]], %[[D]] : tensor<f32>, tensor<4xf16>
func.func @cast(%x: tensor<4xf16>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.cast %x : tensor<4xf16> -> tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A broadcast operand's gradient is summed over the broadcast dims
// (reduce_sum keep_dims) and reshaped to the operand: the leading dim here.
// CHECK-LABEL: func.func @add_broadcast(
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    %[[S:.*]] = weft.reduce_sum %[[G]] axes = [0] keep_dims : tensor<4x8xf32> -> tensor<1x8xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.reshape %[[S]] : tensor<1x8xf32> -> tensor<8xf32>
// CHECK-NEXT:    return %[[L]], %[[G]], %[[DB]] : tensor<f32>, tensor<4x8xf32>, tensor<8xf32>
func.func @add_broadcast(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.add %a, %b : tensor<4x8xf32>, tensor<8xf32>
  %l = weft.reduce_sum %y axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Both sides broadcast along their size-1 dims; the keep_dims sum already
// has the operand's shape, so no reshape. The subtrahend's gradient is -g.
// CHECK-LABEL: func.func @sub_broadcast(
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1xf32> -> tensor<4x8xf32>
// CHECK-NEXT:    %[[NG:.*]] = weft.neg %[[G]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[DA:.*]] = weft.reduce_sum %[[G]] axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.reduce_sum %[[NG]] axes = [0] keep_dims : tensor<4x8xf32> -> tensor<1x8xf32>
// CHECK-NOT:     weft.reshape
// CHECK:         return %[[L]], %[[DA]], %[[DB]] : tensor<f32>, tensor<4x1xf32>, tensor<1x8xf32>
func.func @sub_broadcast(%a: tensor<4x1xf32>, %b: tensor<1x8xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.sub %a, %b : tensor<4x1xf32>, tensor<1x8xf32>
  %l = weft.reduce_sum %y axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A leading dim and an inner size-1 dim are summed together.
// CHECK-LABEL: func.func @mul_broadcast(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<2x3x4xf32>, %[[B:[^:]+]]: tensor<3x1xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to %{{.*}} : tensor<1x1x1xf32> -> tensor<2x3x4xf32>
// CHECK-DAG:     %[[DA:.*]] = weft.mul %[[G]], %[[B]] : tensor<2x3x4xf32>, tensor<3x1xf32>
// CHECK-DAG:     %[[GA:.*]] = weft.mul %[[G]], %[[A]] : tensor<2x3x4xf32>
// CHECK:         %[[S:.*]] = weft.reduce_sum %[[GA]] axes = [0, 2] keep_dims : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.reshape %[[S]] : tensor<1x3x1xf32> -> tensor<3x1xf32>
// CHECK-NEXT:    return %[[L]], %[[DA]], %[[DB]]
func.func @mul_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.mul %a, %b : tensor<2x3x4xf32>, tensor<3x1xf32>
  %l = weft.reduce_sum %y axes = [0, 1, 2] : tensor<2x3x4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A rank-0 operand sums over every dim.
// CHECK-LABEL: func.func @mul_scalar(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4x8xf32>, %[[S:[^:]+]]: tensor<f32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-DAG:     %[[DA:.*]] = weft.mul %[[G]], %[[S]] : tensor<4x8xf32>, tensor<f32>
// CHECK-DAG:     %[[GA:.*]] = weft.mul %[[G]], %[[A]] : tensor<4x8xf32>
// CHECK:         %[[R:.*]] = weft.reduce_sum %[[GA]] axes = [0, 1] keep_dims : tensor<4x8xf32> -> tensor<1x1xf32>
// CHECK-NEXT:    %[[DS:.*]] = weft.reshape %[[R]] : tensor<1x1xf32> -> tensor<f32>
// CHECK-NEXT:    return %[[L]], %[[DA]], %[[DS]] : tensor<f32>, tensor<4x8xf32>, tensor<f32>
func.func @mul_scalar(%a: tensor<4x8xf32>, %s: tensor<f32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.mul %a, %s : tensor<4x8xf32>, tensor<f32>
  %l = weft.reduce_sum %y axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d(a/b) = g / b for a, -(g / b) (a / b) for b.
// CHECK-LABEL: func.func @div(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[Y:.*]] = weft.div %[[A]], %[[B]]
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[Y]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[DA:.*]] = weft.div %[[G]], %[[B]] : tensor<4xf32>
// CHECK-NEXT:    %[[P:.*]] = weft.mul %[[DA]], %[[Y]] : tensor<4xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.neg %[[P]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[DA]], %[[DB]]
func.func @div(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.div %a, %b : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// max: the mask a >= b sends g to a (ties too), the rest to b, which is
// then summed back to its broadcast shape.
// CHECK-LABEL: func.func @max(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4x8xf32>, %[[B:[^:]+]]: tensor<8xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[M:.*]] = weft.compare ge, %[[A]], %[[B]] : tensor<4x8xf32>, tensor<8xf32>
// CHECK-NEXT:    %[[DA:.*]] = weft.mul %[[G]], %[[M]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[GB:.*]] = weft.sub %[[G]], %[[DA]] : tensor<4x8xf32>
// CHECK-NEXT:    %[[S:.*]] = weft.reduce_sum %[[GB]] axes = [0] keep_dims : tensor<4x8xf32> -> tensor<1x8xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.reshape %[[S]] : tensor<1x8xf32> -> tensor<8xf32>
// CHECK-NEXT:    return %[[L]], %[[DA]], %[[DB]]
func.func @max(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.max %a, %b : tensor<4x8xf32>, tensor<8xf32>
  %l = weft.reduce_sum %y axes = [0, 1] : tensor<4x8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @min(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[M:.*]] = weft.compare le, %[[A]], %[[B]] : tensor<4xf32>
// CHECK-NEXT:    %[[DA:.*]] = weft.mul %[[G]], %[[M]] : tensor<4xf32>
// CHECK-NEXT:    %[[DB:.*]] = weft.sub %[[G]], %[[DA]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[DA]], %[[DB]]
func.func @min(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.min %a, %b : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// d a^e = e a^(e - 1) for the base, log(a) a^e for the exponent.
// CHECK-LABEL: func.func @pow(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4xf32>, %[[E:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[Y:.*]] = weft.pow %[[A]], %[[E]]
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[Y]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[ONE:.*]] = weft.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[EM1:.*]] = weft.sub %[[E]], %[[ONE]] : tensor<4xf32>, tensor<f32>
// CHECK-NEXT:    %[[P:.*]] = weft.pow %[[A]], %[[EM1]] : tensor<4xf32>
// CHECK-NEXT:    %[[EP:.*]] = weft.mul %[[E]], %[[P]] : tensor<4xf32>
// CHECK-NEXT:    %[[DA:.*]] = weft.mul %[[G]], %[[EP]] : tensor<4xf32>
// CHECK-NEXT:    %[[LOG:.*]] = weft.log %[[A]] : tensor<4xf32>
// CHECK-NEXT:    %[[LY:.*]] = weft.mul %[[LOG]], %[[Y]] : tensor<4xf32>
// CHECK-NEXT:    %[[DE:.*]] = weft.mul %[[G]], %[[LY]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[DA]], %[[DE]]
func.func @pow(%a: tensor<4xf32>, %e: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %y = weft.pow %a, %e : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A compare is piecewise constant: zero gradients for both operands (the
// one for a is added to the gradient through the mul).
// CHECK-LABEL: func.func @compare(
// CHECK-SAME:      %[[A:[^:]+]]: tensor<4xf32>, %[[B:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[M:.*]] = weft.compare gt, %[[A]], %[[B]]
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[GM:.*]] = weft.mul %[[G]], %[[M]] : tensor<4xf32>
// CHECK-DAG:     %[[ZA:.*]] = weft.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-DAG:     %[[ZB:.*]] = weft.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK:         %[[DA:.*]] = weft.add %[[GM]], %{{.*}} : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[DA]], %{{.*}} : tensor<f32>, tensor<4xf32>, tensor<4xf32>
func.func @compare(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0, 1>} {
  %m = weft.compare gt, %a, %b : tensor<4xf32>
  %y = weft.mul %m, %a : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A value used twice gets the sum of its two gradients: tanh's (visited
// first, going backwards) plus exp's.
// CHECK-LABEL: func.func @accumulate(
// CHECK:         %[[E:.*]] = weft.exp
// CHECK:         %[[T:.*]] = weft.tanh
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[T2:.*]] = weft.mul %[[T]], %[[T]]
// CHECK-NEXT:    %[[GT2:.*]] = weft.mul %[[G]], %[[T2]]
// CHECK-NEXT:    %[[DT:.*]] = weft.sub %[[G]], %[[GT2]]
// CHECK-NEXT:    %[[DE:.*]] = weft.mul %[[G]], %[[E]]
// CHECK-NEXT:    %[[D:.*]] = weft.add %[[DT]], %[[DE]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @accumulate(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %e = weft.exp %x : tensor<4xf32>
  %t = weft.tanh %x : tensor<4xf32>
  %y = weft.add %e, %t : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// x * x: one op using x twice, the two gradients g * x are added.
// CHECK-LABEL: func.func @accumulate_same_op(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32>)
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[P:.*]] = weft.mul %[[G]], %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[Q:.*]] = weft.mul %[[G]], %[[X]] : tensor<4xf32>
// CHECK-NEXT:    %[[D:.*]] = weft.add %{{.*}}, %{{.*}} : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[D]]
func.func @accumulate_same_op(%x: tensor<4xf32>) -> tensor<f32> attributes {weft.autodiff = array<i64: 0>} {
  %y = weft.mul %x, %x : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// An argument the loss does not depend on gets a zero gradient; the ops
// computing the other result (sigmoid of w) are not differentiated.
// CHECK-LABEL: func.func @negative_unused_argument(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<4xf32> {weft.name = "x"}, %[[W:[^:]+]]: tensor<8xf32> {weft.name = "w"})
// CHECK-SAME:      -> (tensor<f32>, tensor<8xf32>, tensor<4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.x"}, tensor<8xf32> {weft.grad_of = 1 : i64, weft.name = "grad.w"})
// CHECK:         %[[E:.*]] = weft.exp %[[X]]
// CHECK:         %[[L:.*]] = weft.reduce_sum %[[E]]
// CHECK:         %[[S:.*]] = weft.sigmoid %[[W]]
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[DX:.*]] = weft.mul %[[G]], %[[E]] : tensor<4xf32>
// CHECK-NEXT:    %[[DW:.*]] = weft.constant dense<0.000000e+00> : tensor<8xf32>
// CHECK-NEXT:    return %[[L]], %[[S]], %[[DX]], %[[DW]]
func.func @negative_unused_argument(%x: tensor<4xf32> {weft.name = "x"}, %w: tensor<8xf32> {weft.name = "w"})
    -> (tensor<f32>, tensor<8xf32>) attributes {weft.autodiff = array<i64: 0, 1>} {
  %e = weft.exp %x : tensor<4xf32>
  %l = weft.reduce_sum %e axes = [0] : tensor<4xf32> -> tensor<f32>
  %s = weft.sigmoid %w : tensor<8xf32>
  return %l, %s : tensor<f32>, tensor<8xf32>
}

// -----

// The loss does not depend on the only differentiated argument at all: a
// zero gradient and no backward op, not even the seed.
// CHECK-LABEL: func.func @negative_constant_loss(
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK-NEXT:    %[[Z:.*]] = weft.constant dense<0.000000e+00> : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[Z]]
func.func @negative_constant_loss(%x: tensor<4xf32>, %k: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %l = weft.reduce_sum %k axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// exp(k) depends on no differentiated argument: it is not differentiated,
// and k (not listed) gets no gradient.
// CHECK-LABEL: func.func @negative_inactive_operand(
// CHECK-SAME:      -> (tensor<f32>, tensor<4xf32> {weft.grad_of = 0 : i64, weft.name = "grad.arg0"}) {
// CHECK:         %[[EK:.*]] = weft.exp
// CHECK:         %[[L:.*]] = weft.reduce_sum
// CHECK:         %[[G:.*]] = weft.broadcast_to
// CHECK-NEXT:    %[[DX:.*]] = weft.mul %[[G]], %[[EK]] : tensor<4xf32>
// CHECK-NEXT:    return %[[L]], %[[DX]] : tensor<f32>, tensor<4xf32>
func.func @negative_inactive_operand(%x: tensor<4xf32>, %k: tensor<4xf32>) -> tensor<f32>
    attributes {weft.autodiff = array<i64: 0>} {
  %ek = weft.exp %k : tensor<4xf32>
  %y = weft.mul %x, %ek : tensor<4xf32>
  %l = weft.reduce_sum %y axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A function without weft.autodiff is left alone.
// CHECK-LABEL: func.func @negative_not_marked(
// CHECK-SAME:      -> tensor<f32> {
// CHECK-NEXT:    weft.exp
// CHECK-NEXT:    weft.reduce_sum
// CHECK-NEXT:    return
func.func @negative_not_marked(%x: tensor<4xf32>) -> tensor<f32> {
  %e = weft.exp %x : tensor<4xf32>
  %l = weft.reduce_sum %e axes = [0] : tensor<4xf32> -> tensor<f32>
  return %l : tensor<f32>
}
