// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=plan fuse=0 vector-bits=256' | FileCheck %s --check-prefix=PLAN
// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=groups fuse=0 vector-bits=256' | FileCheck %s --check-prefix=GROUPS
// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=plan blas=0 fuse=0' | FileCheck %s --check-prefix=NOBLAS
// RUN: weft-opt %s --split-input-file --weft-cpu-pipeline='stop-after=plan vector-bits=256' | FileCheck %s --check-prefix=FUSED

// (fuse=0: one op per kernel; the FUSED prefix: the default fusion policy.)

// matmul + add + relu + softmax. The f32 matmul is a BLAS call (plan.gemm);
// each other op is a kernel of its own, softmax with two scratch buffers
// (row max / sum and the exponentials). Offsets are assigned: temporaries
// get live ranges, the inputs and the output none. The kernels are
// bufferized with their sizes recorded (not yet LLVM).
// PLAN-LABEL: func.func @main
// PLAN:         weft.dispatch @weft_kernels::@k0
// PLAN:       module @weft_kernels
// PLAN-NOT:     llvm.func
// PLAN:         func.func @k2({{.*}}, %{{.*}}: index, %{{.*}}: index) attributes {weft.arg_access = array<i64: 1, 2, 3, 3>, weft.arg_bytes = array<i64: 256, 256, 16, 256>, weft.num_inputs = 1 : i64, weft.parallel_extent = 1 : i64}
// PLAN:       plan.program @main.dev0 device = 0 attributes {entry = "main"} {
// PLAN-NEXT:    plan.arena @activations kind = device size = 1536 {weft.lower_bound = 1536 : i64
// PLAN-NEXT:    plan.stream @compute kind = compute
// PLAN-NOT:     plan.stream
// PLAN-NEXT:    plan.buffer @[[X:.*]] arena = @activations offset = {{[0-9]+}} size = 128{{$}}
// PLAN-NEXT:    plan.input "x" @[[X]] : tensor<4x8xf32>
// PLAN-NEXT:    plan.buffer @[[W:.*]] arena = @activations offset = {{[0-9]+}} size = 512{{$}}
// PLAN-NEXT:    plan.input "w" @[[W]] : tensor<8x16xf32>
// PLAN-NEXT:    plan.buffer @[[B:.*]] arena = @activations offset = {{[0-9]+}} size = 64{{$}}
// PLAN-NEXT:    plan.input "b" @[[B]] : tensor<16xf32>
// PLAN-NEXT:    plan.buffer @[[M:.*]] arena = @activations offset = {{[0-9]+}} size = 256 live = [0, 1]
// PLAN-NEXT:    plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 16, k = 8 stream = @compute ins(@[[X]], @[[W]]) outs(@[[M]])
// PLAN-NEXT:    plan.buffer @[[A:.*]] arena = @activations offset = {{[0-9]+}} size = 256 live = [1, 2]
// PLAN-NEXT:    plan.launch "k0" stream = @compute ins(@[[M]], @[[B]]) outs(@[[A]]) {weft.label = "weft.add"}
// PLAN-NEXT:    plan.buffer @[[R:.*]] arena = @activations offset = {{[0-9]+}} size = 256 live = [2, 3]
// PLAN-NEXT:    plan.launch "k1" stream = @compute ins(@[[A]]) outs(@[[R]]) {weft.label = "weft.relu"}
// PLAN-NEXT:    plan.buffer @[[S:.*]] arena = @activations offset = {{[0-9]+}} size = 256{{$}}
// PLAN-NEXT:    plan.buffer @[[T0:.*]] arena = @activations offset = {{[0-9]+}} size = 16 live = [3, 3]
// PLAN-NEXT:    plan.buffer @[[T1:.*]] arena = @activations offset = {{[0-9]+}} size = 256 live = [3, 3]
// PLAN-NEXT:    plan.launch "k2" stream = @compute ins(@[[R]]) outs(@[[S]], @[[T0]], @[[T1]]) {weft.label = "weft.softmax"}
// PLAN-NEXT:    plan.output "probs" @[[S]] : tensor<4x16xf32>
// PLAN-NEXT:  }

// GROUPS-LABEL: func.func @main
// GROUPS:         %[[M:.*]] = weft.matmul %{{.*}}, %{{.*}} {weft.library_call = "gemm"}
// GROUPS-NEXT:    %[[A:.*]] = weft.group -> tensor<4x16xf32> {
// GROUPS-NEXT:      weft.add %[[M]], %{{.*}}
// GROUPS-NEXT:      weft.yield
// GROUPS-NEXT:    }
// GROUPS-NEXT:    %[[R:.*]] = weft.group -> tensor<4x16xf32> {
// GROUPS-NEXT:      weft.relu %[[A]]
// GROUPS-NEXT:      weft.yield
// GROUPS-NEXT:    }
// GROUPS-NEXT:    %[[S:.*]] = weft.group -> tensor<4x16xf32> {
// GROUPS-NEXT:      weft.softmax %[[R]] axis = 1
// GROUPS-NEXT:      weft.yield
// GROUPS-NEXT:    }
// GROUPS-NEXT:    return %[[S]]
// GROUPS-NOT:   weft.dispatch
// GROUPS-NOT:   plan.program

// Fused: the GEMM's epilogue, add + relu + softmax, is one kernel (too
// small to split over threads: extent 1, its exponentials scratch).
// FUSED-LABEL: plan.program @main.dev0
// FUSED:         plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 16, k = 8
// FUSED-NEXT:    plan.buffer @[[S:.*]] arena = @activations offset = {{[0-9]+}} size = 256{{$}}
// FUSED:         plan.launch "k0" stream = @compute ins(@{{.*}}, @{{.*}}) outs(@[[S]], {{.*}}) {weft.label = "weft.add+weft.relu+weft.softmax"}
// FUSED-NEXT:    plan.output "probs" @[[S]] : tensor<4x16xf32>
// FUSED-NEXT:  }

// Without BLAS the matmul is a generated kernel like the others.
// NOBLAS-LABEL: plan.program @main.dev0
// NOBLAS-NOT:     plan.gemm
// NOBLAS:         plan.launch "k0" stream = @compute ins(@{{.*}}, @{{.*}}) outs(@{{.*}}) {weft.label = "weft.matmul"}
// NOBLAS:         plan.launch "k3" stream = @compute {{.*}} {weft.label = "weft.softmax"}
func.func @main(%x: tensor<4x8xf32> {weft.name = "x"}, %w: tensor<8x16xf32> {weft.name = "w"},
                %b: tensor<16xf32> {weft.name = "b"}) -> (tensor<4x16xf32> {weft.name = "probs"}) {
  %m = weft.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32> -> tensor<4x16xf32>
  %a = weft.add %m, %b : tensor<4x16xf32>, tensor<16xf32>
  %r = weft.relu %a : tensor<4x16xf32>
  %s = weft.softmax %r axis = 1 : tensor<4x16xf32>
  return %s : tensor<4x16xf32>
}

// -----

// A constant weight read by two GEMMs is one buffer with init data in the
// persistent @weights arena; the splat constant is cloned into its kernel
// and never becomes a buffer.
// PLAN-LABEL: func.func @main
// PLAN:       plan.program @main.dev0
// PLAN:         plan.arena @weights kind = device size = 64 persistent
// PLAN:         plan.buffer @[[W:.*]] arena = @weights offset = 0 size = 16 init = dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>{{$}}
// PLAN-NOT:     init =
// PLAN:         plan.gemm f32 x f32 -> f32 acc f32 m = 2, n = 2, k = 2 stream = @compute ins(@{{.*}}, @[[W]])
// PLAN:         plan.launch "k0" {{.*}} {weft.label = "weft.mul"}
// PLAN:         plan.gemm f32 x f32 -> f32 acc f32 m = 2, n = 2, k = 2 stream = @compute ins(@{{.*}}, @[[W]])
// GROUPS-LABEL: func.func @main
// GROUPS:         weft.constant dense<{{\[}}[1.000000e+00
// GROUPS-NOT:     weft.constant
// GROUPS:         weft.group
// GROUPS-NEXT:      weft.constant dense<5.000000e-01>
// GROUPS-NEXT:      weft.mul
func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = weft.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %h = weft.constant dense<0.5> : tensor<2x2xf32>
  %m = weft.matmul %x, %w : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  %s = weft.mul %m, %h : tensor<2x2xf32>
  %t = weft.matmul %s, %w : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return %t : tensor<2x2xf32>
}

// -----

// negative: a module without an entry function gets no kernels and no plan.
// PLAN-LABEL:   func.func @negative_no_entry
// PLAN-NOT:     module @weft_kernels
// PLAN-NOT:     plan.program
// GROUPS-LABEL: func.func @negative_no_entry
// GROUPS-NOT:     weft.group
// FUSED-LABEL: func.func @negative_no_entry
// FUSED-NOT:     plan.program
// NOBLAS-LABEL: func.func @negative_no_entry
// NOBLAS-NOT:   plan.program
func.func @negative_no_entry(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = weft.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}
