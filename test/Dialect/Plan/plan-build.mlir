// RUN: weft-opt %s --split-input-file --plan-build --verify-diagnostics | FileCheck %s

// One buffer per tensor, placed one after another (64-byte aligned); the
// kernel's trailing sizes beyond its inputs and results are scratch buffers
// passed after the outputs. Arguments and results are named by weft.name.
// CHECK-LABEL: plan.program @main.dev0 device = 0 attributes {entry = "main"} {
// CHECK-NEXT:    plan.arena @activations kind = device size = 192{{$}}
// CHECK-NOT:     plan.arena
// CHECK:         plan.stream @compute kind = compute
// CHECK-NEXT:    plan.buffer @[[X:.*]] arena = @activations offset = 0 size = 32{{$}}
// CHECK-NEXT:    plan.input "x" @[[X]] : tensor<8xf32>
// CHECK-NEXT:    plan.buffer @[[Y:.*]] arena = @activations offset = 64 size = 32{{$}}
// CHECK-NEXT:    plan.buffer @[[S:.*]] arena = @activations offset = 128 size = 16{{$}}
// CHECK-NEXT:    plan.launch "k0" stream = @compute ins(@[[X]]) outs(@[[Y]], @[[S]]) {weft.label = "weft.softmax"}
// CHECK-NEXT:    plan.output "y" @[[Y]] : tensor<8xf32>
// CHECK-NEXT:  }
func.func @main(%x: tensor<8xf32> {weft.name = "x"}) -> (tensor<8xf32> {weft.name = "y"}) {
  %r = weft.dispatch @weft_kernels::@k0(%x) label = "weft.softmax" : (tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
module @weft_kernels {
  func.func @k0(%a: memref<8xf32>, %o: memref<8xf32>, %s: memref<4xf32>)
      attributes {weft.arg_bytes = array<i64: 32, 32, 16>, weft.arg_access = array<i64: 1, 2, 3>, weft.num_inputs = 1 : i64} {
    return
  }
}

// -----

// Library-marked GEMMs become plan.gemm (batched and transposed); default
// names are argN / outN. Unmarked functions (not entries) get no program.
// CHECK-LABEL: plan.program @gemms.dev0
// CHECK:         plan.buffer @[[A:.*]] arena = @activations offset = 0 size = 96{{$}}
// CHECK-NEXT:    plan.input "arg0" @[[A]] : tensor<2x3x4xf32>
// CHECK-NEXT:    plan.buffer @[[B:.*]] arena = @activations offset = 128 size = 160{{$}}
// CHECK-NEXT:    plan.input "arg1" @[[B]] : tensor<2x5x4xf32>
// CHECK-NEXT:    plan.buffer @[[W:.*]] arena = @activations offset = 320 size = 60{{$}}
// CHECK-NEXT:    plan.input "arg2" @[[W]] : tensor<5x3xf32>
// CHECK-NEXT:    plan.buffer @[[C:.*]] arena = @activations offset = 384 size = 120{{$}}
// CHECK-NEXT:    plan.gemm f32 x f32 -> f32 acc f32 m = 3, n = 5, k = 4 batch = 2 trans_b stream = @compute ins(@[[A]], @[[B]]) outs(@[[C]]) {weft.label = "weft.batch_matmul (gemm)"}
// CHECK-NEXT:    plan.buffer @[[D:.*]] arena = @activations offset = 512 size = 96{{$}}
// CHECK-NEXT:    plan.gemm f32 x f32 -> f32 acc f32 m = 3, n = 8, k = 5 trans_a trans_b stream = @compute ins(@[[W]], @[[B]]) outs(@[[D]]) {weft.label = "weft.matmul (gemm)"}
// CHECK-NEXT:    plan.output "out0" @[[C]] : tensor<2x3x5xf32>
// CHECK-NEXT:    plan.output "out1" @[[D]] : tensor<3x8xf32>
// CHECK-NOT:     plan.launch
// CHECK-NOT:   plan.program @helper
func.func @gemms(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>, %w: tensor<5x3xf32>) -> (tensor<2x3x5xf32>, tensor<3x8xf32>) attributes {weft.entry} {
  %m = weft.batch_matmul %a, %b {transpose_rhs, weft.library_call = "gemm"} : tensor<2x3x4xf32>, tensor<2x5x4xf32> -> tensor<2x3x5xf32>
  %v = weft.reshape %b : tensor<2x5x4xf32> -> tensor<8x5xf32>
  %d = weft.matmul %w, %v {transpose_lhs, transpose_rhs, weft.library_call = "gemm"} : tensor<5x3xf32>, tensor<8x5xf32> -> tensor<3x8xf32>
  return %m, %d : tensor<2x3x5xf32>, tensor<3x8xf32>
}
func.func @helper(%a: tensor<2xf32>) -> tensor<2xf32> {
  return %a : tensor<2xf32>
}

// -----

// A reshape shares its input's buffer: the second kernel reads the first
// one's output buffer, and the output is that buffer too (no copy).
// CHECK-LABEL: plan.program @reshape.dev0
// CHECK:         plan.launch "k0" stream = @compute ins(@{{.*}}) outs(@[[R:[^)]*]])
// CHECK-NEXT:    plan.buffer @[[E:.*]] arena = @activations
// CHECK-NEXT:    plan.launch "k1" stream = @compute ins(@[[R]]) outs(@[[E]])
// CHECK-NEXT:    plan.output "out0" @[[E]] : tensor<2x4xf32>
// CHECK-NEXT:    plan.output "out1" @[[R]] : tensor<2x4xf32>
// CHECK-NOT:     plan.copy
func.func @reshape(%x: tensor<8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) attributes {weft.entry} {
  %r = weft.dispatch @weft_kernels::@k0(%x) label = "weft.relu" : (tensor<8xf32>) -> tensor<8xf32>
  %v = weft.reshape %r : tensor<8xf32> -> tensor<2x4xf32>
  %e = weft.dispatch @weft_kernels::@k1(%v) label = "weft.exp" : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %e, %v : tensor<2x4xf32>, tensor<2x4xf32>
}
module @weft_kernels {
  func.func @k0(%a: memref<8xf32>, %o: memref<8xf32>) attributes {weft.arg_bytes = array<i64: 32, 32>} {
    return
  }
  func.func @k1(%a: memref<2x4xf32>, %o: memref<2x4xf32>) attributes {weft.arg_bytes = array<i64: 32, 32>} {
    return
  }
}

// -----

// A non-splat constant is a weight: a buffer with init data in the
// persistent @weights arena, placed when first read, one buffer for both
// reads (and for a second constant of the same value).
// CHECK-LABEL: plan.program @weights.dev0
// CHECK:         plan.arena @weights kind = device size = 64 persistent
// CHECK:         plan.buffer @[[C:.*]] arena = @weights offset = 0 size = 32 init = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<8xf32>
// CHECK-NOT:     init =
// CHECK:         plan.launch "k0" stream = @compute ins(@{{.*}}, @[[C]]) outs(@[[R:[^)]*]])
// CHECK:         plan.launch "k0" stream = @compute ins(@[[R]], @[[C]])
func.func @weights(%x: tensor<8xf32>) -> tensor<8xf32> attributes {weft.entry} {
  %c = weft.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %d = weft.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %r = weft.dispatch @weft_kernels::@k0(%x, %c) label = "weft.add" : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %s = weft.dispatch @weft_kernels::@k0(%r, %d) label = "weft.add" : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %s : tensor<8xf32>
}
module @weft_kernels {
  func.func @k0(%a: memref<8xf32>, %b: memref<8xf32>, %o: memref<8xf32>) attributes {weft.arg_bytes = array<i64: 32, 32, 32>} {
    return
  }
}

// -----

// A result that is an argument, a constant or a value already returned is
// copied into a buffer of its own.
// CHECK-LABEL: plan.program @copies.dev0
// CHECK:         plan.buffer @[[X:.*]] arena = @activations offset = 0 size = 32
// CHECK-NEXT:    plan.input "arg0" @[[X]]
// CHECK-NEXT:    plan.buffer @[[R:.*]] arena = @activations offset = 64 size = 32
// CHECK-NEXT:    plan.launch "k0" stream = @compute ins(@[[X]]) outs(@[[R]])
// CHECK-NEXT:    plan.buffer @[[X2:.*]] arena = @activations offset = 128 size = 32
// CHECK-NEXT:    plan.copy @[[X]] to @[[X2]] stream = @compute
// CHECK-NEXT:    plan.output "out0" @[[X2]] : tensor<8xf32>
// CHECK-NEXT:    plan.output "out1" @[[R]] : tensor<8xf32>
// CHECK-NEXT:    plan.buffer @[[R2:.*]] arena = @activations
// CHECK-NEXT:    plan.copy @[[R]] to @[[R2]] stream = @compute
// CHECK-NEXT:    plan.output "out2" @[[R2]] : tensor<8xf32>
// CHECK-NEXT:    plan.buffer @[[C:.*]] arena = @weights offset = 0 size = 8 init = dense<[1, 2]> : tensor<2xi32>
// CHECK-NEXT:    plan.buffer @[[C2:.*]] arena = @activations
// CHECK-NEXT:    plan.copy @[[C]] to @[[C2]] stream = @compute
// CHECK-NEXT:    plan.output "out3" @[[C2]] : tensor<2xi32>
func.func @copies(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2xi32>) attributes {weft.entry} {
  %c = weft.constant dense<[1, 2]> : tensor<2xi32>
  %r = weft.dispatch @weft_kernels::@k0(%x) label = "weft.relu" : (tensor<8xf32>) -> tensor<8xf32>
  return %x, %r, %r, %c : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<2xi32>
}
module @weft_kernels {
  func.func @k0(%a: memref<8xf32>, %o: memref<8xf32>) attributes {weft.arg_bytes = array<i64: 32, 32>} {
    return
  }
}

// -----

// Arguments marked weft.state are parameters: plan.state buffers of the
// persistent @state arena, with init data when weft.init gives it.
// CHECK-LABEL: plan.program @state.dev0
// CHECK:         plan.arena @state kind = device size = 192 persistent
// CHECK:         plan.buffer @[[W:.*]] arena = @state offset = 0 size = 128 init = dense<5.000000e-01> : tensor<8x4xf32>{{$}}
// CHECK-NEXT:    plan.state "fc.w" @[[W]] : tensor<8x4xf32>
// CHECK-NEXT:    plan.buffer @[[P:.*]] arena = @state offset = 128 size = 16{{$}}
// CHECK-NEXT:    plan.state "p" @[[P]] : tensor<4xf32>
func.func @state(%x: tensor<4xf32>, %w: tensor<8x4xf32> {weft.state, weft.name = "fc.w", weft.init = dense<0.5> : tensor<8x4xf32>},
                 %p: tensor<4xf32> {weft.state, weft.name = "p"}) -> tensor<4xf32> attributes {weft.entry} {
  %r = weft.dispatch @weft_kernels::@k0(%x, %w, %p) label = "weft.linear" : (tensor<4xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}
module @weft_kernels {
  func.func @k0(%a: memref<4xf32>, %w: memref<8x4xf32>, %p: memref<4xf32>, %o: memref<4xf32>) attributes {weft.arg_bytes = array<i64: 16, 128, 16, 16>} {
    return
  }
}

// -----

// negative: a module without entry functions gets no program.
// CHECK-LABEL: func.func @negative_no_entry
// CHECK-NOT:   plan.program
func.func @negative_no_entry(%x: tensor<8xf32>) -> tensor<8xf32> {
  return %x : tensor<8xf32>
}

// -----

func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'weft.dispatch' op plan-build: kernel @weft_kernels::@k0 is not lowered to bufferized form with recorded argument sizes (run the backend's kernel lowering first)}}
  %r = weft.dispatch @weft_kernels::@k0(%x) label = "weft.relu" : (tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
module @weft_kernels {
  func.func @k0(%a: memref<8xf32>, %o: memref<8xf32>) {
    return
  }
}

// -----

// Fewer recorded sizes than inputs and results.
func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'weft.dispatch' op plan-build: kernel @weft_kernels::@k0 is not lowered to bufferized form with recorded argument sizes}}
  %r = weft.dispatch @weft_kernels::@k0(%x) label = "weft.relu" : (tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
module @weft_kernels {
  func.func @k0(%a: memref<8xf32>, %o: memref<8xf32>) attributes {weft.arg_bytes = array<i64: 32>} {
    return
  }
}

// -----

// A scratch size over the tensor limit.
func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{plan-build: "scratch of weft.relu" needs 562949953421313 bytes, more than the 281474976710656 a buffer may have}}
  %r = weft.dispatch @weft_kernels::@k0(%x) label = "weft.relu" : (tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
module @weft_kernels {
  func.func @k0(%a: memref<8xf32>, %o: memref<8xf32>, %s: memref<1xf32>) attributes {weft.arg_bytes = array<i64: 32, 32, 562949953421313>} {
    return
  }
}

// -----

// expected-error @+1 {{entry @main must end in func.return}}
func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  llvm.unreachable
}

// -----

// expected-error @+1 {{entry @main must have a single block}}
func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  cf.br ^bb1
^bb1:
  return %x : tensor<8xf32>
}

// -----

func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{only weft ops are supported in an entry function, got 'tensor.empty'}}
  %e = tensor.empty() : tensor<8xf32>
  return %e : tensor<8xf32>
}

// -----

// An entry that was not grouped and outlined.
func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'weft.relu' op plan-build: only kernel dispatches, library calls, reshapes and constants can be planned (is every weft op grouped?); got 'weft.relu'}}
  %e = weft.relu %x : tensor<8xf32>
  return %e : tensor<8xf32>
}

// -----

func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'weft.relu' op plan-build: only matmul and batch_matmul can be library calls}}
  %e = weft.relu %x {weft.library_call = "gemm"} : tensor<8xf32>
  return %e : tensor<8xf32>
}

// -----

// A tensor too large for memory is an error naming it.
// expected-error @+1 {{'tensor<4294967296x4294967296xf32>' needs more than 281474976710656 bytes (2^48), the largest tensor supported}}
func.func @main(%x: tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  return %x : tensor<4294967296x4294967296xf32>
}

// -----

// expected-error @+1 {{'func.func' op plan-build: initial value of state 'w' has type 'tensor<8xf32>', not 'tensor<4xf32>'}}
func.func @main(%x: tensor<8xf32>, %w: tensor<4xf32> {weft.state, weft.name = "w", weft.init = dense<1.0> : tensor<8xf32>}) -> tensor<8xf32> {
  return %x : tensor<8xf32>
}

// -----

// Names are checked by the plan verifier: an argument named like a default
// output name collides with it.
func.func @main(%x: tensor<8xf32> {weft.name = "out0"}) -> tensor<8xf32> {
  // expected-error @+1 {{'plan.output' op name 'out0' is already used by a plan.input; input, output and state names must be unique}}
  return %x : tensor<8xf32>
}
