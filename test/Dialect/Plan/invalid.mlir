// RUN: weft-opt %s --split-input-file --verify-diagnostics

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 512 live = [0, 1]
  // Overlaps @x's bytes [256, 512) while @x is live at step 1.
  // expected-error @+1 {{'plan.buffer' op overlaps buffer @x in arena @a (bytes [256, 768) vs [0, 512)) while both are live at step 1}}
  plan.buffer @y arena = @a offset = 256 size = 512 live = [1, 2]
  plan.launch "k0" stream = @s ins() outs(@x)
  plan.launch "k1" stream = @s ins(@x) outs(@y)
  plan.launch "k2" stream = @s ins(@y) outs(@y)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  plan.stream @s kind = compute
  // A buffer without a live range lives for the whole program.
  plan.buffer @w arena = @a offset = 0 size = 1024
  // expected-error @+1 {{'plan.buffer' op overlaps buffer @w in arena @a (bytes [512, 576) vs [0, 1024)) while both are live at step 0}}
  plan.buffer @t arena = @a offset = 512 size = 64 live = [0, 0]
  plan.launch "k0" stream = @s ins(@w) outs(@t)
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 1024
  // expected-error @+1 {{'plan.buffer' op bytes [960, 1088) lie outside arena @a of size 1024}}
  plan.buffer @x arena = @a offset = 960 size = 128
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
  // expected-error @+1 {{'plan.arena' op size must be non-negative, got -1}}
  plan.arena @a kind = device size = -1
}

// -----

// expected-error @+1 {{'plan.program' op device must be non-negative, got -1}}
plan.program @p device = -1 {
}

// -----

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
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.library_call' op stream @s is not a plan.stream of program @p}}
  plan.library_call "gemm" stream = @s ins(@x) outs(@x)
}

// -----

plan.program @p device = 0 {
  plan.stream @s kind = compute
  plan.stream @t kind = comm
  plan.event @e
  // expected-error @+1 {{'plan.event_wait' op waits on event @e that no earlier command records}}
  plan.event_wait @e stream = @t
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
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  plan.collective all_reduce order = 4 stream = @c ins(@x) outs(@x)
  // expected-error @+1 {{'plan.collective' op order 2 does not follow the previous collective's order 4; collectives must be issued in increasing global order}}
  plan.collective all_gather order = 2 stream = @c ins(@x) outs(@x)
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
  plan.collective all_reduce order = 0 stream = @c ins(@x) outs(@x) peer = 1
}

// -----

plan.program @p device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @c kind = comm
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.collective' op order must be non-negative, got -1}}
  plan.collective all_reduce order = -1 stream = @c ins(@x) outs(@x)
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
