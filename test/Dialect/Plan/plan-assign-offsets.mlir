// RUN: weft-opt %s --split-input-file --plan-assign-offsets | FileCheck %s

// A chain on one stream: @t1 is dead once @t2 is written, so @t3 takes its
// bytes. Live ranges are the steps that touch each buffer; the input, the
// output and the weight live throughout (no range). The arena shrinks from
// 1024 to the most bytes live at one step (@x, @y, @t1, @t2 at step 1).
// CHECK-LABEL: plan.program @chain
// CHECK:         plan.arena @act kind = device size = 512 {weft.lower_bound = 512 : i64
// CHECK:         plan.arena @w kind = device size = 64 persistent
// CHECK:         plan.buffer @x arena = @act offset = {{[0-9]+}} size = 128{{$}}
// CHECK-NEXT:    plan.buffer @t1 arena = @act offset = [[T1:[0-9]+]] size = 128 live = [0, 1]{{$}}
// CHECK-NEXT:    plan.buffer @t2 arena = @act offset = {{[0-9]+}} size = 128 live = [1, 2]{{$}}
// CHECK-NEXT:    plan.buffer @t3 arena = @act offset = [[T1]] size = 128 live = [2, 3]{{$}}
// CHECK-NEXT:    plan.buffer @y arena = @act offset = {{[0-9]+}} size = 128{{$}}
// CHECK-NEXT:    plan.buffer @c arena = @w offset = 0 size = 64 init = dense<1.000000e+00> : tensor<16xf32>{{$}}
plan.program @chain device = 0 {
  plan.arena @act kind = device size = 1024
  plan.arena @w kind = device size = 64 persistent
  plan.stream @compute kind = compute
  plan.buffer @x arena = @act offset = 0 size = 128
  plan.buffer @t1 arena = @act offset = 128 size = 128
  plan.buffer @t2 arena = @act offset = 256 size = 128
  plan.buffer @t3 arena = @act offset = 384 size = 128
  plan.buffer @y arena = @act offset = 512 size = 128
  plan.buffer @c arena = @w offset = 0 size = 64 init = dense<1.0> : tensor<16xf32>
  plan.input "x" @x : tensor<32xf32>
  plan.output "y" @y : tensor<32xf32>
  plan.launch "k0" stream = @compute ins(@x, @c) outs(@t1)
  plan.launch "k1" stream = @compute ins(@t1) outs(@t2)
  plan.launch "k2" stream = @compute ins(@t2) outs(@t3)
  plan.launch "k3" stream = @compute ins(@t3) outs(@y)
}

// -----

// Existing live ranges and offsets are recomputed from the uses; the arena's
// own alignment (256) wins over the default 64. @t0 and @t1 are never live
// at once: one offset.
// CHECK-LABEL: plan.program @realign
// CHECK:         plan.arena @act kind = device size = 512 alignment = 256
// CHECK:         plan.buffer @t0 arena = @act offset = [[T:[0-9]+]] size = 64 live = [0, 1]{{$}}
// CHECK-NEXT:    plan.buffer @t1 arena = @act offset = [[T]] size = 64 live = [2, 2]{{$}}
// CHECK-NEXT:    plan.buffer @u arena = @act offset = {{0|256}} size = 64 live = [1, 2]{{$}}
plan.program @realign device = 0 {
  plan.arena @act kind = device size = 4096 alignment = 256
  plan.stream @compute kind = compute
  plan.buffer @t0 arena = @act offset = 0 size = 64 live = [0, 2]
  plan.buffer @t1 arena = @act offset = 1024 size = 64 live = [0, 2]
  plan.buffer @u arena = @act offset = 2048 size = 64 live = [0, 2]
  plan.launch "k0" stream = @compute ins() outs(@t0)
  plan.launch "k1" stream = @compute ins(@t0) outs(@u)
  plan.launch "k2" stream = @compute ins(@u) outs(@t1)
}

// -----

// A program without commands: buffers are packed, none gets a range.
// CHECK-LABEL: plan.program @no_commands
// CHECK:         plan.arena @act kind = device size = 64
// CHECK:         plan.buffer @t arena = @act offset = 0 size = 64{{$}}
plan.program @no_commands device = 0 {
  plan.arena @act kind = device size = 128
  plan.buffer @t arena = @act offset = 64 size = 64
}

// -----

// negative: with two streams program order is not execution order, so
// temporaries live until the end and are not reused across streams: the
// arena is the sum of all its buffers.
// CHECK-LABEL: plan.program @negative_two_streams
// CHECK:         plan.arena @act kind = device size = 640
// CHECK:         plan.buffer @t1 arena = @act offset = [[T1:[0-9]+]] size = 128 live = [0, 6]{{$}}
// CHECK-NOT:     offset = [[T1]] size
// CHECK:         plan.buffer @t2 arena = @act offset = {{[0-9]+}} size = 128 live = [1, 6]{{$}}
// CHECK-NEXT:    plan.buffer @t3 arena = @act offset = {{[0-9]+}} size = 128 live = [5, 6]{{$}}
// CHECK:         plan.buffer @h arena = @host offset = 0 size = 128 live = [4, 6]{{$}}
plan.program @negative_two_streams device = 0 {
  plan.arena @act kind = device size = 1024
  plan.arena @host kind = host_pinned size = 128
  plan.stream @compute kind = compute
  plan.stream @copy kind = copy
  plan.event @e
  plan.buffer @x arena = @act offset = 0 size = 128
  plan.buffer @t1 arena = @act offset = 128 size = 128
  plan.buffer @t2 arena = @act offset = 256 size = 128
  plan.buffer @t3 arena = @act offset = 384 size = 128
  plan.buffer @y arena = @act offset = 512 size = 128
  plan.buffer @h arena = @host offset = 0 size = 128
  plan.input "x" @x : tensor<32xf32>
  plan.output "y" @y : tensor<32xf32>
  plan.launch "k0" stream = @compute ins(@x) outs(@t1)
  plan.launch "k1" stream = @compute ins(@t1) outs(@t2)
  plan.event_record @e stream = @compute
  plan.event_wait @e stream = @copy
  plan.copy @t2 to @h stream = @copy
  plan.launch "k2" stream = @compute ins(@t2) outs(@t3)
  plan.launch "k3" stream = @compute ins(@t3) outs(@y)
}
