// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=plan fuse=0' --verify-diagnostics | FileCheck %s
// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=plan' --verify-diagnostics | FileCheck %s --check-prefix=FUSED

// Results marked weft.update = i are the new values of state argument i:
// they are no plan.output; the command producing one writes the state
// buffer in place when nothing reads the old state after it and it reads
// the old state, if at all, as one elementwise linalg.generic with the
// output's indexing map; otherwise a plan.copy into the state ends the run.

// One op per kernel (fuse=0) keeps each case to the rule; the FUSED
// checks show the same rule on fused (and tiled) kernels.

// An SGD-like update p - t: the sub kernel writes p's buffer in place.
// Fused with the loss (siblings reading t), still in place.
// FUSED-LABEL: plan.program @sgd_in_place.dev0
// FUSED:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// FUSED:         plan.launch "k0" {{.*}} outs(@{{.*}}, @[[P]]) {weft.label = "weft.reduce_sum+weft.sub"}
// FUSED-NOT:     plan.copy
// FUSED:         }
// CHECK-LABEL: plan.program @sgd_in_place.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.input "t" @[[T:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]], @[[T]]) outs(@[[P]]) {weft.label = "weft.sub"}
// CHECK-NEXT:    plan.output "loss"
// CHECK-NOT:     plan.copy
// CHECK-NOT:     plan.output
// CHECK:         }
func.func @sgd_in_place(%p: tensor<8xf32> {weft.state, weft.name = "p"}, %t: tensor<8xf32> {weft.name = "t"})
    -> (tensor<f32> {weft.name = "loss"}, tensor<8xf32> {weft.update = 0 : i64, weft.name = "p"})
    attributes {weft.entry} {
  %l = weft.reduce_sum %t axes = [0] : tensor<8xf32> -> tensor<f32>
  %n = weft.sub %p, %t : tensor<8xf32>
  return %l, %n : tensor<f32>, tensor<8xf32>
}

// -----

// A whole SGD step with momentum (weft-autodiff and weft-optimizer run in
// the pipeline): the momentum buffer and the parameter are both written in
// place, and the step reads the new momentum buffer where it was written.
// The only output is the loss. Fused, the whole step is one kernel that
// writes both in place.
// FUSED-LABEL: plan.program @main.dev0
// FUSED:         plan.state "w" @[[W:[a-z0-9_]+]] : tensor<8xf32>
// FUSED:         plan.state "w.momentum_buffer" @[[BUF:[a-z0-9_]+]] : tensor<8xf32>
// FUSED-NEXT:    plan.buffer
// FUSED-NEXT:    plan.launch "k0" {{.*}} outs(@{{.*}}, @[[BUF]], @[[W]])
// FUSED-NEXT:    plan.output "loss"
// FUSED-NOT:     plan.copy
// FUSED:         }
// CHECK-LABEL: plan.program @main.dev0
// CHECK:         plan.state "w" @[[W:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.state "w.momentum_buffer" @[[BUF:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.launch {{.*}} outs(@[[BUF]]) {weft.label = "weft.add"}
// CHECK:         plan.launch {{.*}} ins(@[[BUF]], {{.*}}) outs(@[[S:[a-z0-9_]+]]) {weft.label = "weft.mul"}
// CHECK-NEXT:    plan.launch {{.*}} ins(@[[W]], @[[S]]) outs(@[[W]]) {weft.label = "weft.sub"}
// CHECK-NEXT:    plan.output "loss" @{{.*}} : tensor<f32>
// CHECK-NOT:     plan.copy
// CHECK-NOT:     plan.output
// CHECK:         }
func.func @main(%w: tensor<8xf32> {weft.state, weft.name = "w", weft.init = dense<1.0> : tensor<8xf32>},
                %x: tensor<8xf32> {weft.name = "x"}) -> (tensor<f32> {weft.name = "loss"})
    attributes {weft.optimizer = {kind = "sgd", lr = 0.1 : f64, momentum = 0.9 : f64}} {
  %p = weft.mul %w, %x : tensor<8xf32>
  %l = weft.reduce_sum %p axes = [0] : tensor<8xf32> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// A chain: the last kernel reads the old state elementwise and writes it
// in place; earlier kernels reading the state are not a problem.
// CHECK-LABEL: plan.program @chain_in_place.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]], {{.*}}) outs(@{{.*}}) {weft.label = "weft.sub"}
// CHECK-NOT:     outs(@[[P]])
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@{{.*}}, @[[P]]) outs(@[[P]]) {weft.label = "weft.mul"}
// CHECK-NOT:     plan.copy
// CHECK:         }
func.func @chain_in_place(%p: tensor<8xf32> {weft.state, weft.name = "p"}, %t: tensor<8xf32> {weft.name = "t"})
    -> (tensor<8xf32> {weft.update = 0 : i64, weft.name = "p"}) attributes {weft.entry} {
  %a = weft.sub %p, %t : tensor<8xf32>
  %b = weft.exp %a : tensor<8xf32>
  %c = weft.mul %b, %p : tensor<8xf32>
  return %c : tensor<8xf32>
}

// -----

// The old state is transposed by one kernel and added elementwise by the
// next: the add may write the state in place. Fused, they are one generic
// reading (i, j) and (j, i) of the state for element (i, j): not in place,
// a copy ends the run.
// FUSED-LABEL: plan.program @transposed_then_added.dev0
// FUSED:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<4x4xf32>
// FUSED:         plan.launch "k0" stream = @compute ins(@[[P]]) outs(@[[N:[a-z0-9_]+]]) {weft.label = "weft.transpose+weft.add"}
// FUSED-NEXT:    plan.copy @[[N]] to @[[P]] stream = @compute
// CHECK-LABEL: plan.program @transposed_then_added.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<4x4xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]]) outs(@[[PT:[a-z0-9_]+]]) {weft.label = "weft.transpose"}
// CHECK-NEXT:    plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]], @[[PT]]) outs(@[[P]]) {weft.label = "weft.add"}
// CHECK-NOT:     plan.copy
// CHECK:         }
func.func @transposed_then_added(%p: tensor<4x4xf32> {weft.state, weft.name = "p"})
    -> (tensor<4x4xf32> {weft.update = 0 : i64, weft.name = "p"}) attributes {weft.entry} {
  %t = weft.transpose %p perm = [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  %n = weft.add %p, %t : tensor<4x4xf32>
  return %n : tensor<4x4xf32>
}

// -----

// The producer reads the state through a transposed map: element (i, j)
// of the result needs (j, i) of the old state, so writing in place would
// read overwritten elements. It writes a buffer of its own, copied into the
// state at the end.
// CHECK-LABEL: plan.program @negative_transposed_update.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<4x4xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]]) outs(@[[N:[a-z0-9_]+]]) {weft.label = "weft.transpose"}
// CHECK-NEXT:    plan.output "loss"
// CHECK-NEXT:    plan.copy @[[N]] to @[[P]] stream = @compute
// CHECK-NEXT:  }
func.func @negative_transposed_update(%p: tensor<4x4xf32> {weft.state, weft.name = "p"}, %t: tensor<4x4xf32> {weft.name = "t"})
    -> (tensor<f32> {weft.name = "loss"}, tensor<4x4xf32> {weft.update = 0 : i64, weft.name = "p"})
    attributes {weft.entry} {
  %s = weft.reduce_sum %t axes = [0, 1] : tensor<4x4xf32> -> tensor<f32>
  %n = weft.transpose %p perm = [1, 0] : tensor<4x4xf32> -> tensor<4x4xf32>
  return %s, %n : tensor<f32>, tensor<4x4xf32>
}

// -----

// The old state is read after the update is computed (by the mul): the
// update goes to a buffer of its own and a copy at the end, fused or not.
// FUSED-LABEL: plan.program @negative_state_read_later.dev0
// FUSED:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// FUSED:         plan.launch "k0" stream = @compute ins(@[[P]], {{.*}}) outs(@[[N:[a-z0-9_]+]], {{.*}})
// FUSED:         plan.copy @[[N]] to @[[P]] stream = @compute
// CHECK-LABEL: plan.program @negative_state_read_later.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]], {{.*}}) outs(@[[N:[a-z0-9_]+]]) {weft.label = "weft.sub"}
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]], {{.*}}) outs(@[[Y:[a-z0-9_]+]]) {weft.label = "weft.mul"}
// CHECK-NEXT:    plan.output "y" @[[Y]] : tensor<8xf32>
// CHECK-NEXT:    plan.copy @[[N]] to @[[P]] stream = @compute
// CHECK-NEXT:  }
func.func @negative_state_read_later(%p: tensor<8xf32> {weft.state, weft.name = "p"}, %t: tensor<8xf32> {weft.name = "t"})
    -> (tensor<8xf32> {weft.name = "y"}, tensor<8xf32> {weft.update = 0 : i64, weft.name = "p"})
    attributes {weft.entry} {
  %n = weft.sub %p, %t : tensor<8xf32>
  %e = weft.exp %n : tensor<8xf32>
  %m = weft.reduce_max %e axes = [0] keep_dims : tensor<8xf32> -> tensor<1xf32>
  %y = weft.mul %p, %m : tensor<8xf32>, tensor<1xf32>
  return %y, %n : tensor<8xf32>, tensor<8xf32>
}

// -----

// A softmax kernel reads the state in several generics: not in place.
// CHECK-LABEL: plan.program @negative_not_elementwise.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<4x8xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]]) outs(@[[N:[a-z0-9_]+]], {{.*}}) {weft.label = "weft.softmax"}
// CHECK-NEXT:    plan.copy @[[N]] to @[[P]] stream = @compute
// CHECK-NEXT:  }
func.func @negative_not_elementwise(%p: tensor<4x8xf32> {weft.state, weft.name = "p"})
    -> (tensor<4x8xf32> {weft.update = 0 : i64, weft.name = "p"}) attributes {weft.entry} {
  %n = weft.softmax %p axis = 1 : tensor<4x8xf32>
  return %n : tensor<4x8xf32>
}

// -----

// The new value is also an ordinary output: that buffer must survive the
// run, so it is copied into the state.
// CHECK-LABEL: plan.program @negative_update_is_also_output.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]], {{.*}}) outs(@[[N:[a-z0-9_]+]]) {weft.label = "weft.sub"}
// CHECK-NEXT:    plan.output "y" @[[N]] : tensor<8xf32>
// CHECK-NEXT:    plan.copy @[[N]] to @[[P]] stream = @compute
// CHECK-NEXT:  }
func.func @negative_update_is_also_output(%p: tensor<8xf32> {weft.state, weft.name = "p"}, %t: tensor<8xf32> {weft.name = "t"})
    -> (tensor<8xf32> {weft.name = "y"}, tensor<8xf32> {weft.update = 0 : i64, weft.name = "p"})
    attributes {weft.entry} {
  %n = weft.sub %p, %t : tensor<8xf32>
  return %n, %n : tensor<8xf32>, tensor<8xf32>
}

// -----

// An input as the new state: a copy (an input is not a command's output).
// CHECK-LABEL: plan.program @negative_update_from_input.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.input "t" @[[T:[a-z0-9_]+]] : tensor<8xf32>
// CHECK-NEXT:    plan.copy @[[T]] to @[[P]] stream = @compute
// CHECK-NEXT:  }
func.func @negative_update_from_input(%p: tensor<8xf32> {weft.state, weft.name = "p"}, %t: tensor<8xf32> {weft.name = "t"})
    -> (tensor<8xf32> {weft.update = 0 : i64, weft.name = "p"}) attributes {weft.entry} {
  return %t : tensor<8xf32>
}

// -----

// The state returned unchanged as its own update: nothing to write back.
// CHECK-LABEL: plan.program @negative_unchanged_state.dev0
// CHECK:         plan.state "p" @[[P:[a-z0-9_]+]] : tensor<8xf32>
// CHECK:         plan.launch "{{k[0-9]+}}" stream = @compute ins(@[[P]], {{.*}}) outs(@[[Y:[a-z0-9_]+]]) {weft.label = "weft.sub"}
// CHECK-NEXT:    plan.output "y" @[[Y]] : tensor<8xf32>
// CHECK-NEXT:  }
func.func @negative_unchanged_state(%p: tensor<8xf32> {weft.state, weft.name = "p"}, %t: tensor<8xf32> {weft.name = "t"})
    -> (tensor<8xf32> {weft.name = "y"}, tensor<8xf32> {weft.update = 0 : i64, weft.name = "p"})
    attributes {weft.entry} {
  %y = weft.sub %p, %t : tensor<8xf32>
  return %y, %p : tensor<8xf32>, tensor<8xf32>
}

// -----

// expected-error @+1 {{plan-build: result 0 updates argument 0, which is not a 'weft.state' argument of type 'tensor<8xf32>'}}
func.func @update_of_an_input(%p: tensor<8xf32> {weft.name = "p"}, %t: tensor<8xf32>)
    -> (tensor<8xf32> {weft.update = 0 : i64}) attributes {weft.entry} {
  %n = weft.sub %p, %t : tensor<8xf32>
  return %n : tensor<8xf32>
}

// -----

// expected-error @+1 {{plan-build: result 0 updates argument 0, which is not a 'weft.state' argument of type 'tensor<8xf32>'}}
func.func @update_shape_mismatch(%p: tensor<4xf32> {weft.state}, %t: tensor<8xf32>)
    -> (tensor<8xf32> {weft.update = 0 : i64}) attributes {weft.entry} {
  %n = weft.neg %t : tensor<8xf32>
  return %n : tensor<8xf32>
}

// -----

// expected-error @+1 {{plan-build: result 0 updates argument 0, which is not a 'weft.state' argument of type 'tensor<8xf32>'}}
func.func @update_element_type_mismatch(%p: tensor<8xf16> {weft.state}, %t: tensor<8xf32>)
    -> (tensor<8xf32> {weft.update = 0 : i64}) attributes {weft.entry} {
  %n = weft.neg %t : tensor<8xf32>
  return %n : tensor<8xf32>
}

// -----

// expected-error @+1 {{plan-build: result 0 updates argument 2, which is not a 'weft.state' argument of type 'tensor<8xf32>'}}
func.func @update_index_out_of_range(%p: tensor<8xf32> {weft.state}, %t: tensor<8xf32>)
    -> (tensor<8xf32> {weft.update = 2 : i64}) attributes {weft.entry} {
  %n = weft.sub %p, %t : tensor<8xf32>
  return %n : tensor<8xf32>
}

// -----

// expected-error @+1 {{plan-build: result 1 updates argument -1, which is not a 'weft.state' argument of type 'tensor<8xf32>'}}
func.func @update_index_negative(%p: tensor<8xf32> {weft.state}, %t: tensor<8xf32>)
    -> (tensor<f32>, tensor<8xf32> {weft.update = -1 : i64}) attributes {weft.entry} {
  %l = weft.reduce_sum %t axes = [0] : tensor<8xf32> -> tensor<f32>
  %n = weft.sub %p, %t : tensor<8xf32>
  return %l, %n : tensor<f32>, tensor<8xf32>
}

// -----

// expected-error @+1 {{plan-build: state argument 0 is updated by two results}}
func.func @updated_twice(%p: tensor<8xf32> {weft.state}, %t: tensor<8xf32>)
    -> (tensor<8xf32> {weft.update = 0 : i64}, tensor<8xf32> {weft.update = 0 : i64}) attributes {weft.entry} {
  %n = weft.sub %p, %t : tensor<8xf32>
  %m = weft.add %p, %t : tensor<8xf32>
  return %n, %m : tensor<8xf32>, tensor<8xf32>
}
