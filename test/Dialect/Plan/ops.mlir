// RUN: weft-opt %s | FileCheck %s
// RUN: weft-opt %s | weft-opt | FileCheck %s
// RUN: weft-opt %s --mlir-print-op-generic | weft-opt | FileCheck %s

// CHECK-LABEL: plan.program @dev0 device = 0 {
plan.program @dev0 device = 0 {
  // CHECK: plan.arena @dev kind = device size = 4096{{$}}
  plan.arena @dev kind = device size = 4096
  // CHECK: plan.arena @host kind = host_pinned size = 1024 alignment = 256
  plan.arena @host kind = host_pinned size = 1024 alignment = 256
  // CHECK: plan.stream @compute kind = compute
  plan.stream @compute kind = compute
  // CHECK: plan.stream @comm kind = comm
  plan.stream @comm kind = comm
  // CHECK: plan.stream @copy kind = copy
  plan.stream @copy kind = copy
  // CHECK: plan.event @e0
  plan.event @e0
  // Weights and I/O: live for the whole program.
  // CHECK: plan.buffer @x arena = @dev offset = 0 size = 1024{{$}}
  plan.buffer @x arena = @dev offset = 0 size = 1024
  plan.buffer @w arena = @dev offset = 1024 size = 1024
  // @t0 and @t1 share bytes [2048, 3072): their live ranges do not meet.
  // CHECK: plan.buffer @t0 arena = @dev offset = 2048 size = 1024 live = [0, 1]
  plan.buffer @t0 arena = @dev offset = 2048 size = 1024 live = [0, 1]
  plan.buffer @t1 arena = @dev offset = 2048 size = 1024 live = [2, 6]
  plan.buffer @y arena = @dev offset = 3072 size = 1024
  plan.buffer @t1_host arena = @host offset = 0 size = 1024 live = [3, 6]

  // CHECK: plan.library_call "gemm" stream = @compute ins(@x, @w) outs(@t0) {k = 16 : i64, m = 16 : i64, n = 16 : i64}
  plan.library_call "gemm" stream = @compute ins(@x, @w) outs(@t0) {m = 16, n = 16, k = 16}
  // CHECK: plan.launch "gelu_1" stream = @compute ins(@t0) outs(@y)
  plan.launch "gelu_1" stream = @compute ins(@t0) outs(@y)
  // CHECK: plan.launch "fill_2" stream = @compute ins() outs(@t1)
  plan.launch "fill_2" stream = @compute ins() outs(@t1)
  // CHECK: plan.event_record @e0 stream = @compute
  plan.event_record @e0 stream = @compute
  // CHECK: plan.event_wait @e0 stream = @copy
  plan.event_wait @e0 stream = @copy
  // CHECK: plan.copy @t1 to @t1_host stream = @copy
  plan.copy @t1 to @t1_host stream = @copy
  // CHECK: plan.collective all_reduce order = 0 stream = @comm ins(@y) outs(@y)
  plan.collective all_reduce order = 0 stream = @comm ins(@y) outs(@y)
  // CHECK: plan.collective send order = 3 stream = @comm ins(@y) outs() peer = 1
  plan.collective send order = 3 stream = @comm ins(@y) outs() peer = 1
}

// CHECK-LABEL: plan.program @dev1 device = 1 {
plan.program @dev1 device = 1 {
  plan.arena @dev kind = device size = 1024
  plan.stream @comm kind = comm
  plan.buffer @y arena = @dev offset = 0 size = 1024
  // CHECK: plan.collective all_reduce order = 0
  plan.collective all_reduce order = 0 stream = @comm ins(@y) outs(@y)
  // CHECK: plan.collective recv order = 3 stream = @comm ins() outs(@y) peer = 0
  plan.collective recv order = 3 stream = @comm ins() outs(@y) peer = 0
}

// An empty program is valid.
// CHECK: plan.program @idle device = 2 {
plan.program @idle device = 2 {
}
