// RUN: weft-opt %s --split-input-file | FileCheck %s
// RUN: weft-opt %s --split-input-file | weft-opt --split-input-file | FileCheck %s
// RUN: weft-opt %s --split-input-file --mlir-print-op-generic | weft-opt --split-input-file | FileCheck %s

// CHECK-LABEL: plan.program @dev0 device = 0 attributes {entry = "main"} {
plan.program @dev0 device = 0 attributes {entry = "main"} {
  // CHECK: plan.arena @dev kind = device size = 4096{{$}}
  plan.arena @dev kind = device size = 4096
  // CHECK: plan.arena @host kind = host_pinned size = 1024 alignment = 256{{$}}
  plan.arena @host kind = host_pinned size = 1024 alignment = 256
  // CHECK: plan.arena @weights kind = device size = 1024 persistent{{$}}
  plan.arena @weights kind = device size = 1024 persistent
  // CHECK: plan.stream @compute kind = compute
  plan.stream @compute kind = compute
  // CHECK: plan.stream @comm kind = comm
  plan.stream @comm kind = comm
  // CHECK: plan.stream @copy kind = copy
  plan.stream @copy kind = copy
  // CHECK: plan.event @e0
  plan.event @e0
  // Weights: bound at load, live for the whole program.
  // CHECK: plan.buffer @w arena = @weights offset = 0 size = 1024 init = dense<1.000000e+00> : tensor<16x16xf32>{{$}}
  plan.buffer @w arena = @weights offset = 0 size = 1024 init = dense<1.0> : tensor<16x16xf32>
  // I/O: live for the whole program.
  // CHECK: plan.buffer @x arena = @dev offset = 0 size = 1024{{$}}
  plan.buffer @x arena = @dev offset = 0 size = 1024
  // @t0 and @t1 share bytes [1024, 2048): every use of @t0 happens before
  // every use of @t1 (same stream earlier, then through @e0 for the copy).
  // CHECK: plan.buffer @t0 arena = @dev offset = 1024 size = 1024 live = [0, 1]
  plan.buffer @t0 arena = @dev offset = 1024 size = 1024 live = [0, 1]
  plan.buffer @t1 arena = @dev offset = 1024 size = 1024 live = [2, 5]
  plan.buffer @y arena = @dev offset = 2048 size = 1024
  plan.buffer @t1_host arena = @host offset = 0 size = 1024 live = [5, 5]

  // CHECK: plan.input "x" @x : tensor<16x16xf32>
  plan.input "x" @x : tensor<16x16xf32>
  // CHECK: plan.state "fc.weight" @w : tensor<16x16xf32>
  plan.state "fc.weight" @w : tensor<16x16xf32>
  // CHECK: plan.output "y" @y : tensor<256xf32>
  plan.output "y" @y : tensor<256xf32>

  // CHECK: plan.gemm f32 x f32 -> f32 acc f32 m = 16, n = 16, k = 16 stream = @compute ins(@x, @w) outs(@t0)
  plan.gemm f32 x f32 -> f32 acc f32 m = 16, n = 16, k = 16 stream = @compute ins(@x, @w) outs(@t0)
  // CHECK: plan.launch "gelu_1" stream = @compute ins(@t0) outs(@y) extent = 16
  plan.launch "gelu_1" stream = @compute ins(@t0) outs(@y) extent = 16
  // The default extent is not printed.
  // CHECK: plan.launch "fill_2" stream = @compute ins() outs(@t1){{$}}
  plan.launch "fill_2" stream = @compute ins() outs(@t1) extent = 1
  // CHECK: plan.event_record @e0 stream = @compute
  plan.event_record @e0 stream = @compute
  // CHECK: plan.event_wait @e0 stream = @copy
  plan.event_wait @e0 stream = @copy
  // CHECK: plan.copy @t1 to @t1_host stream = @copy
  plan.copy @t1 to @t1_host stream = @copy
  plan.event_wait @e0 stream = @comm
  // CHECK: plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@y) outs(@y)
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@y) outs(@y)
  // CHECK: plan.collective send order = 3 stream = @comm ins(@y) outs() peer = 1
  plan.collective send order = 3 stream = @comm ins(@y) outs() peer = 1
}

// CHECK-LABEL: plan.program @dev1 device = 1 {
plan.program @dev1 device = 1 {
  plan.arena @dev kind = device size = 1024
  plan.stream @comm kind = comm
  plan.buffer @y arena = @dev offset = 0 size = 1024
  // CHECK: plan.collective all_reduce order = 0 group = [0, 1] reduce = sum
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@y) outs(@y)
  // CHECK: plan.collective reduce_scatter order = 1 group = [1, 0] reduce = max
  plan.collective reduce_scatter order = 1 group = [1, 0] reduce = max stream = @comm ins(@y) outs(@y)
  // CHECK: plan.collective all_gather order = 2 group = [0, 1] stream = @comm
  plan.collective all_gather order = 2 group = [0, 1] stream = @comm ins(@y) outs(@y)
  // CHECK: plan.collective recv order = 3 stream = @comm ins() outs(@y) peer = 0
  plan.collective recv order = 3 stream = @comm ins() outs(@y) peer = 0
}

// An empty program is valid.
// CHECK: plan.program @idle device = 2 {
plan.program @idle device = 2 {
}

// -----

// GEMM variants: a batched f16 GEMM with transposes, a bias epilogue and a
// broadcast A (stride 0), an i8 GEMM accumulating in i32, and an empty one.
// CHECK-LABEL: plan.program @gemms
plan.program @gemms device = 0 {
  plan.arena @dev kind = device size = 4096
  plan.stream @s kind = compute
  plan.buffer @a arena = @dev offset = 0 size = 1024
  plan.buffer @b arena = @dev offset = 1024 size = 1024
  plan.buffer @bias arena = @dev offset = 2048 size = 64
  plan.buffer @c arena = @dev offset = 3072 size = 1024
  // CHECK: plan.gemm f16 x f16 -> f16 acc f32 m = 4, n = 8, k = 16 batch = 4 trans_a trans_b epilogue = bias stream = @s ins(@a, @b, @bias) outs(@c) {stride_a = 0 : i64}
  plan.gemm f16 x f16 -> f16 acc f32 m = 4, n = 8, k = 16 batch = 4 trans_a trans_b epilogue = bias stream = @s ins(@a, @b, @bias) outs(@c) {stride_a = 0 : i64}
  // CHECK: plan.gemm bf16 x bf16 -> f32 acc f32 m = 16, n = 16, k = 16 stream = @s
  plan.gemm bf16 x bf16 -> f32 acc f32 m = 16, n = 16, k = 16 stream = @s ins(@a, @b) outs(@c)
  // CHECK: plan.gemm i8 x i8 -> i32 acc i32 m = 16, n = 16, k = 64 stream = @s
  plan.gemm i8 x i8 -> i32 acc i32 m = 16, n = 16, k = 64 stream = @s ins(@a, @b) outs(@c)
  // CHECK: plan.gemm f32 x f32 -> f32 acc f32 m = 16, n = 16, k = 0 stream = @s
  plan.gemm f32 x f32 -> f32 acc f32 m = 16, n = 16, k = 0 stream = @s ins(@a, @b) outs(@c)
}

// -----

// State in a persistent arena, with and without initial data; an integer
// constant with init.
// CHECK-LABEL: plan.program @state
plan.program @state device = 0 {
  plan.arena @params kind = device size = 128 persistent
  plan.arena @act kind = device size = 64
  plan.stream @s kind = compute
  // CHECK: plan.buffer @p0 arena = @params offset = 0 size = 16 init = dense<[1, 2, 3, 4]> : tensor<4xi32>{{$}}
  plan.buffer @p0 arena = @params offset = 0 size = 16 init = dense<[1, 2, 3, 4]> : tensor<4xi32>
  // CHECK: plan.buffer @p1 arena = @params offset = 64 size = 32{{$}}
  plan.buffer @p1 arena = @params offset = 64 size = 32
  plan.buffer @g arena = @act offset = 0 size = 32 live = [0, 0]
  // CHECK: plan.state "layer.0.bias" @p1 : tensor<8xf32>
  plan.state "layer.0.bias" @p1 : tensor<8xf32>
  // CHECK: plan.state "counts" @p0 : tensor<4xi32>
  plan.state "counts" @p0 : tensor<4xi32>
  plan.launch "sgd" stream = @s ins(@g, @p0) outs(@p1)
}

// -----

// Two streams ordered by an event: @t is written on @compute, then @h's
// copy on @copy reuses its bytes. Without the record / wait pair the two
// would not be ordered (see invalid.mlir, @negative_unordered_streams).
// CHECK-LABEL: plan.program @two_streams
plan.program @two_streams device = 0 {
  plan.arena @dev kind = device size = 128
  plan.arena @host kind = host_pinned size = 64
  plan.stream @compute kind = compute
  plan.stream @copy kind = copy
  plan.event @e
  plan.buffer @x arena = @dev offset = 64 size = 64
  plan.buffer @t arena = @dev offset = 0 size = 64 live = [0, 1]
  plan.buffer @h arena = @host offset = 0 size = 64
  plan.buffer @u arena = @dev offset = 0 size = 64 live = [4, 4]
  plan.input "x" @x : tensor<16xf32>
  plan.input "h" @h : tensor<16xf32>
  plan.launch "k0" stream = @compute ins(@x) outs(@t)
  plan.launch "k1" stream = @compute ins(@t) outs(@x)
  // CHECK:      plan.launch "k1" stream = @compute
  // CHECK-NEXT: plan.event_record @e stream = @compute
  // CHECK-NEXT: plan.event_wait @e stream = @copy
  // CHECK-NEXT: plan.copy @h to @u stream = @copy
  plan.event_record @e stream = @compute
  plan.event_wait @e stream = @copy
  plan.copy @h to @u stream = @copy
}
