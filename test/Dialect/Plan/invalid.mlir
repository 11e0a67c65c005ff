// RUN: weft-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// Overlapping buffers: ordered by happens-before across streams.
//===----------------------------------------------------------------------===//

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 512 live = [0, 1]
  // Overlaps @x's bytes [256, 512) and both are used at step 1.
  // expected-error @+1 {{'plan.buffer' op overlaps buffer @x in arena @a (bytes [256, 768) vs [0, 512)) while both may be in use: no order between their uses on the program's streams}}
  plan.buffer @y arena = @a offset = 256 size = 512 live = [1, 2]
  plan.launch "k0" stream = @s ins() outs(@x)
  plan.launch "k1" stream = @s ins(@x) outs(@y)
  plan.launch "k2" stream = @s ins(@y) outs(@y)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  // A buffer without a live range is in use throughout the program.
  plan.buffer @w arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.buffer' op overlaps buffer @w in arena @a (bytes [512, 576) vs [0, 1024)) while both may be in use: no order between their uses on the program's streams}}
  plan.buffer @t arena = @a offset = 512 size = 64 live = [0, 0]
  plan.launch "k0" stream = @s ins(@w) outs(@t)
}

// -----

// Two buffers without live ranges can share no byte, even if no command
// touches either of them.
plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.buffer @u arena = @a offset = 0 size = 128
  // expected-error @+1 {{'plan.buffer' op overlaps buffer @u in arena @a (bytes [64, 192) vs [0, 128)) while both may be in use: no order between their uses on the program's streams}}
  plan.buffer @v arena = @a offset = 64 size = 128
}

// -----

// Unsound without events: @t is written on @compute and @u, which reuses its
// bytes, is written by a copy on @copy. Their live ranges are disjoint in
// program order, but nothing orders the two streams, so the copy may
// overwrite @t while k0 / k1 still use it. (ops.mlir, @two_streams, is the
// same plan with an event_record / event_wait pair: it verifies.)
plan.program @negative_unordered_streams device = 0 {
  plan.arena @dev kind = device size = 128
  plan.arena @host kind = host_pinned size = 64
  plan.stream @compute kind = compute
  plan.stream @copy kind = copy
  plan.buffer @x arena = @dev offset = 64 size = 64
  plan.buffer @t arena = @dev offset = 0 size = 64 live = [0, 1]
  plan.buffer @h arena = @host offset = 0 size = 64
  // expected-error @+1 {{'plan.buffer' op overlaps buffer @t in arena @dev (bytes [0, 64) vs [0, 64)) while both may be in use: no order between their uses on the program's streams}}
  plan.buffer @u arena = @dev offset = 0 size = 64 live = [2, 2]
  plan.input "x" @x : tensor<16xf32>
  plan.input "h" @h : tensor<16xf32>
  plan.launch "k0" stream = @compute ins(@x) outs(@t)
  plan.launch "k1" stream = @compute ins(@t) outs(@x)
  plan.copy @h to @u stream = @copy
}

// -----

// An event recorded *before* the last use of @t does not order that use:
// k1 runs after the record, so it may still read @t when the copy writes @u.
plan.program @negative_event_too_early device = 0 {
  plan.arena @dev kind = device size = 128
  plan.arena @host kind = host_pinned size = 64
  plan.stream @compute kind = compute
  plan.stream @copy kind = copy
  plan.event @e
  plan.buffer @x arena = @dev offset = 64 size = 64
  plan.buffer @t arena = @dev offset = 0 size = 64 live = [0, 2]
  plan.buffer @h arena = @host offset = 0 size = 64
  // expected-error @+1 {{'plan.buffer' op overlaps buffer @t in arena @dev (bytes [0, 64) vs [0, 64)) while both may be in use: no order between their uses on the program's streams}}
  plan.buffer @u arena = @dev offset = 0 size = 64 live = [4, 4]
  plan.launch "k0" stream = @compute ins(@x) outs(@t)
  plan.event_record @e stream = @compute
  plan.launch "k1" stream = @compute ins(@t) outs(@x)
  plan.event_wait @e stream = @copy
  plan.copy @h to @u stream = @copy
}

// -----

// One buffer written on @compute and read on @copy with no event between
// the streams: the copy may read @t before k0 has written it.
plan.program @negative_same_buffer_race device = 0 {
  plan.arena @dev kind = device size = 256
  plan.arena @host kind = host_pinned size = 64
  plan.stream @compute kind = compute
  plan.stream @copy kind = copy
  plan.buffer @x arena = @dev offset = 0 size = 64
  plan.buffer @t arena = @dev offset = 64 size = 64 live = [0, 1]
  plan.buffer @h arena = @host offset = 0 size = 64
  plan.input "x" @x : tensor<16xf32>
  plan.output "h" @h : tensor<16xf32>
  plan.launch "k0" stream = @compute ins(@x) outs(@t)
  // expected-error @+1 {{'plan.copy' op uses @t at step 1 while step 0 on another stream may still be writing it; order them with an event}}
  plan.copy @t to @h stream = @copy
}

// -----

//===----------------------------------------------------------------------===//
// Arenas and buffers
//===----------------------------------------------------------------------===//

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  // expected-error @+1 {{'plan.buffer' op bytes [960, 1088) lie outside arena @a of size 1024}}
  plan.buffer @x arena = @a offset = 960 size = 128
}

// -----

// offset + size overflows int64: checked, not wrapped around.
plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  // expected-error @+1 {{'plan.buffer' op bytes [9223372036854775744, overflow) lie outside arena @a of size 1024}}
  plan.buffer @x arena = @a offset = 9223372036854775744 size = 128
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024 alignment = 128
  // expected-error @+1 {{'plan.buffer' op offset 64 is not aligned to 128 bytes}}
  plan.buffer @x arena = @a offset = 64 size = 64
}

// -----

plan.program @p device = 0 {
  // expected-error @+1 {{'plan.buffer' op arena @nope is not a plan.arena of program @p}}
  plan.buffer @x arena = @nope offset = 0 size = 64
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  // expected-error @+1 {{'plan.buffer' op live range ends at step 3 but the program has 1 commands}}
  plan.buffer @x arena = @a offset = 0 size = 64 live = [0, 3]
  plan.launch "k0" stream = @s ins() outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  // expected-error @+1 {{'plan.buffer' op live range must be [first, last] with 0 <= first <= last}}
  plan.buffer @x arena = @a offset = 0 size = 64 live = [2, 1]
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  // expected-error @+1 {{'plan.buffer' op live range must be [first, last] with 0 <= first <= last}}
  plan.buffer @x arena = @a offset = 0 size = 64 live = [0, 1, 2]
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  // expected-error @+1 {{'plan.buffer' op size must be positive, got 0}}
  plan.buffer @x arena = @a offset = 0 size = 0
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  // expected-error @+1 {{'plan.buffer' op offset must be non-negative, got -64}}
  plan.buffer @x arena = @a offset = -64 size = 64
}

// -----

plan.program @p device = 0 {
  // expected-error @+1 {{'plan.arena' op alignment must be a power of two, got 48}}
  plan.arena @a kind = device size = 1024 alignment = 48
}

// -----

plan.program @p device = 0 {
  // expected-error @+1 {{'plan.arena' op alignment must be a power of two, got 0}}
  plan.arena @a kind = device size = 1024 alignment = 0
}

// -----

plan.program @p device = 0 {
  // expected-error @+1 {{'plan.arena' op size must be non-negative, got -1}}
  plan.arena @a kind = device size = -1
}

// -----

// expected-error @+1 {{'plan.program' op device must be non-negative, got -1}}
plan.program @p device = -1 {
}

// -----

// init data must fill the buffer exactly.
plan.program @p device = 0 {
  plan.arena @w kind = device size = 64 persistent
  // expected-error @+1 {{'plan.buffer' op init of type 'tensor<4xf32>' does not fill its 32 bytes}}
  plan.buffer @c arena = @w offset = 0 size = 32 init = dense<1.0> : tensor<4xf32>
}

// -----

// init only in a persistent arena: nothing would bind it otherwise.
plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  // expected-error @+1 {{'plan.buffer' op has init data but arena @a is not persistent}}
  plan.buffer @c arena = @a offset = 0 size = 16 init = dense<1.0> : tensor<4xf32>
}

// -----

// A persistent arena's contents outlive the program: no live range.
plan.program @p device = 0 {
  plan.arena @w kind = device size = 64 persistent
  plan.stream @s kind = compute
  // expected-error @+1 {{'plan.buffer' op lives in persistent arena @w and cannot have a live range}}
  plan.buffer @c arena = @w offset = 0 size = 64 live = [0, 0]
  plan.launch "k0" stream = @s ins(@c) outs()
}

// -----

//===----------------------------------------------------------------------===//
// Inputs, outputs and state
//===----------------------------------------------------------------------===//

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.input' op name '../escaped' starts with '.'; names must be safe as file names}}
  plan.input "../escaped" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.output' op name 'out/../../etc/y' contains '/', a backslash or a control character; names must be safe as file names}}
  plan.output "out/../../etc/y" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.output' op name '.hidden' starts with '.'; names must be safe as file names}}
  plan.output ".hidden" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.input' op name '' is empty; names must be safe as file names}}
  plan.input "" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.input' op name 'a\b' contains '/', a backslash or a control character; names must be safe as file names}}
  plan.input "a\\b" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{is longer than 255 bytes; names must be safe as file names}}
  plan.input "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{contains '/', a backslash or a control character; names must be safe as file names}}
  plan.input "a\0Ab" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 128
  plan.buffer @y0 arena = @a offset = 0 size = 64
  plan.buffer @y1 arena = @a offset = 64 size = 64
  plan.output "y" @y0 : tensor<16xf32>
  // expected-error @+1 {{'plan.output' op name 'y' is already used by a plan.output; input, output and state names must be unique}}
  plan.output "y" @y1 : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 128
  plan.buffer @x arena = @a offset = 0 size = 64
  plan.buffer @y arena = @a offset = 64 size = 64
  plan.input "t" @x : tensor<16xf32>
  // expected-error @+1 {{'plan.output' op name 't' is already used by a plan.input; input, output and state names must be unique}}
  plan.output "t" @y : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.arena @w kind = device size = 64 persistent
  plan.buffer @x arena = @a offset = 0 size = 64
  plan.buffer @p arena = @w offset = 0 size = 64
  plan.state "t" @p : tensor<16xf32>
  // expected-error @+1 {{'plan.input' op name 't' is already used by a plan.state; input, output and state names must be unique}}
  plan.input "t" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  // expected-error @+1 {{'plan.input' op buffer @x is not a plan.buffer of program @p}}
  plan.input "x" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.input' op type 'tensor<8xf32>' does not match the 64 bytes of buffer @x}}
  plan.input "x" @x : tensor<8xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.state' op state must live in a persistent arena}}
  plan.state "w" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @w kind = device size = 64 persistent
  plan.buffer @x arena = @w offset = 0 size = 64
  // expected-error @+1 {{'plan.input' op inputs and outputs cannot live in a persistent arena}}
  plan.input "x" @x : tensor<16xf32>
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @s kind = compute
  plan.buffer @y arena = @a offset = 0 size = 64 live = [0, 0]
  // expected-error @+1 {{'plan.output' op buffer @y of an input or output must not have a live range}}
  plan.output "y" @y : tensor<16xf32>
  plan.launch "k0" stream = @s ins() outs(@y)
}

// -----

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 64 live = [1, 1]
  plan.launch "k0" stream = @s ins() outs()
  plan.launch "k1" stream = @s ins() outs(@x)
  // expected-error @+1 {{'plan.launch' op uses @x at step 2, outside its live range [1, 1]}}
  plan.launch "k2" stream = @s ins(@x) outs()
}

// -----

plan.program @p device = 0 {
  plan.stream @s kind = compute
  // expected-error @+1 {{'plan.launch' op operand @x is not a plan.buffer of program @p}}
  plan.launch "k0" stream = @s ins(@x) outs()
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.launch' op extent must be positive, got 0}}
  plan.launch "k0" stream = @s ins(@x) outs(@x) extent = 0
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op stream @s is not a plan.stream of program @p}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 16, n = 16, k = 1 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.stream @s kind = compute
  plan.event @e
  // expected-error @+1 {{'plan.event_wait' op waits on event @e that no earlier command records}}
  plan.event_wait @e stream = @s
  plan.event_record @e stream = @s
}

// -----

plan.program @p device = 0 {
  plan.stream @s kind = compute
  // expected-error @+1 {{'plan.event_record' op event @e is not a plan.event of program @p}}
  plan.event_record @e stream = @s
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 128
  plan.arena @h kind = host_pinned size = 32
  plan.stream @c kind = copy
  plan.buffer @x arena = @a offset = 0 size = 64
  plan.buffer @hx arena = @h offset = 0 size = 32
  // expected-error @+1 {{'plan.copy' op copies 64 bytes into a buffer of 32 bytes}}
  plan.copy @x to @hx stream = @c
}

// -----

//===----------------------------------------------------------------------===//
// plan.gemm
//===----------------------------------------------------------------------===//

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op operands must have one element type, got 'f32' and 'f16'}}
  plan.gemm f32 x f16 -> f32 acc f32 m = 4, n = 4, k = 4 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op unsupported operand type 'f64'}}
  plan.gemm f64 x f64 -> f64 acc f64 m = 4, n = 4, k = 4 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op accumulates 'f16' in 'f16'; it must accumulate in 'f32'}}
  plan.gemm f16 x f16 -> f16 acc f16 m = 4, n = 4, k = 4 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op accumulates 'i8' in 'f32'; it must accumulate in 'i32'}}
  plan.gemm i8 x i8 -> i32 acc f32 m = 4, n = 4, k = 4 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op unsupported result type 'f64'}}
  plan.gemm f32 x f32 -> f64 acc f32 m = 4, n = 4, k = 4 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op m, n, k must be non-negative, got 4, -1, 4}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = -1, k = 4 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op batch must be positive, got 0}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 4, k = 4 batch = 0 stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op strides must be non-negative, got -16}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 4, k = 4 batch = 2 stream = @s ins(@x, @x) outs(@x) {stride_b = -16 : i64}
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op takes 2 inputs and 1 output, got 3 and 1}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 4, k = 4 stream = @s ins(@x, @x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // A bias epilogue takes the bias as a third input.
  // expected-error @+1 {{'plan.gemm' op takes 3 inputs and 1 output, got 2 and 1}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 4, k = 4 epilogue = bias_relu stream = @s ins(@x, @x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op takes 2 inputs and 1 output, got 2 and 0}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 4, k = 4 stream = @s ins(@x, @x) outs()
}

// -----

// C is 16 x 16 f32 = 1024 bytes; the buffer has 512.
plan.program @p device = 0 {
  plan.arena @a kind = device size = 4096
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  plan.buffer @w arena = @a offset = 1024 size = 1024
  plan.buffer @y arena = @a offset = 2048 size = 512
  // expected-error @+1 {{'plan.gemm' op operand C needs 1024 bytes but buffer @y has 512}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 16, n = 16, k = 16 stream = @s ins(@x, @w) outs(@y)
}

// -----

// Batched, with trans_a: A is k x m per matrix, 4 of them (4 * 8 * 16 f16).
plan.program @p device = 0 {
  plan.arena @a kind = device size = 4096
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 512
  plan.buffer @y arena = @a offset = 1024 size = 2048
  // expected-error @+1 {{'plan.gemm' op operand A needs 1024 bytes but buffer @x has 512}}
  plan.gemm f16 x f16 -> f16 acc f32 m = 16, n = 8, k = 8 batch = 4 trans_a stream = @s ins(@x, @y) outs(@y)
}

// -----

// Library GEMMs take 32-bit dimensions.
plan.program @p device = 0 {
  plan.arena @a kind = device size = 4096
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op m, n, k must fit in 32 bits (library GEMMs take 32-bit dimensions), got 4294967296, 1, 4294967296}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 4294967296, n = 1, k = 4294967296 stream = @s ins(@x, @x) outs(@x)
}

// -----

// The extent overflows int64 within 32-bit dimensions: checked.
plan.program @p device = 0 {
  plan.arena @a kind = device size = 4096
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.gemm' op operand A needs too many bytes but buffer @x has 1024}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 2147483647, n = 1, k = 2147483647 batch = 4294967296 stream = @s ins(@x, @x) outs(@x)
}

// -----

// The bias of a bias epilogue must hold n elements.
plan.program @p device = 0 {
  plan.arena @a kind = device size = 4096
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 1024
  plan.buffer @bias arena = @a offset = 1024 size = 4
  plan.buffer @y arena = @a offset = 2048 size = 1024
  // expected-error @+1 {{'plan.gemm' op bias needs 64 bytes but buffer @bias has 4}}
  plan.gemm f32 x f32 -> f32 acc f32 m = 16, n = 16, k = 16 epilogue = bias stream = @s ins(@x, @x, @bias) outs(@y)
}

// -----

//===----------------------------------------------------------------------===//
// plan.collective
//===----------------------------------------------------------------------===//

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  plan.collective all_reduce order = 4 group = [0, 1] reduce = sum stream = @c ins(@x) outs(@x)
  // expected-error @+1 {{'plan.collective' op order 2 does not follow the previous collective's order 4; collectives must be issued in increasing global order}}
  plan.collective all_gather order = 2 group = [0, 1] stream = @c ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op send/recv needs a peer}}
  plan.collective send order = 0 stream = @c ins(@x) outs()
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op only send/recv take a peer}}
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @c ins(@x) outs(@x) peer = 1
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op send/recv name a peer, not a group}}
  plan.collective recv order = 0 group = [0, 1] stream = @c ins() outs(@x) peer = 1
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op order must be non-negative, got -1}}
  plan.collective all_reduce order = -1 group = [0, 1] reduce = sum stream = @c ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op needs a group of devices}}
  plan.collective all_gather order = 0 stream = @c ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op needs a group of devices}}
  plan.collective broadcast order = 0 group = [] stream = @c ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op group must list distinct non-negative devices}}
  plan.collective all_to_all order = 0 group = [0, 1, 0] stream = @c ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op group must list distinct non-negative devices}}
  plan.collective all_gather order = 0 group = [-1, 0] stream = @c ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op all_reduce/reduce_scatter need a reduction}}
  plan.collective reduce_scatter order = 0 group = [0, 1] stream = @c ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op only all_reduce/reduce_scatter reduce}}
  plan.collective all_gather order = 0 group = [0, 1] reduce = max stream = @c ins(@x) outs(@x)
}

// -----

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

plan.program @p device = 0 {
  // expected-note @+1 {{see existing symbol definition here}}
  plan.arena @a kind = device size = 64
  // expected-error @+1 {{redefinition of symbol named 'a'}}
  plan.arena @a kind = host_pinned size = 64
}

// -----

plan.program @p device = 0 {
  // expected-error @+1 {{expects parent op 'builtin.module'}}
  plan.program @q device = 1 {
  }
}

// -----

// expected-error @+1 {{expects parent op 'plan.program'}}
plan.arena @a kind = device size = 64
