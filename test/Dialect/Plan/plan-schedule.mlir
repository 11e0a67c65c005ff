// RUN: weft-opt %s --split-input-file --plan-schedule --verify-diagnostics | FileCheck %s
// RUN: weft-opt %s --split-input-file --plan-schedule=assign-streams=false --verify-diagnostics | FileCheck %s --check-prefix=KEEP

// A copy between a host_pinned and a device arena moves to a @copy stream;
// the launch that reads its target waits for it through an event. The
// collective moves to @comm and waits for the launch that wrote its buffer;
// the last launch reads what the collective wrote and waits for it. k2 reads
// and writes only buffers of @compute: no event, and it may run while the
// collective does (weft.overlap counts such compute commands).
// CHECK-LABEL: plan.program @streams
// CHECK-DAG:     plan.stream @comm kind = comm
// CHECK-DAG:     plan.stream @copy kind = copy
// CHECK-DAG:     plan.stream @compute kind = compute
// CHECK:         plan.event @[[E0:.*]]
// CHECK-NEXT:    plan.event @[[E1:.*]]
// CHECK-NEXT:    plan.event @[[E2:.*]]
// CHECK-NEXT:    plan.launch "k0" stream = @compute ins(@x) outs(@z)
// CHECK-NEXT:    plan.copy @h to @d stream = @copy
// CHECK-NEXT:    plan.event_record @[[E0]] stream = @copy
// CHECK-NEXT:    plan.event_wait @[[E0]] stream = @compute
// CHECK-NEXT:    plan.launch "k1" stream = @compute ins(@d, @z) outs(@y)
// CHECK-NEXT:    plan.event_record @[[E1]] stream = @compute
// CHECK-NEXT:    plan.event_wait @[[E1]] stream = @comm
// CHECK-NEXT:    plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@y) outs(@y) {weft.overlap = 1 : i64}
// CHECK-NEXT:    plan.event_record @[[E2]] stream = @comm
// CHECK-NEXT:    plan.launch "k2" stream = @compute ins(@x) outs(@z)
// CHECK-NEXT:    plan.event_wait @[[E2]] stream = @compute
// CHECK-NEXT:    plan.launch "k3" stream = @compute ins(@y) outs(@x)
// CHECK-NEXT:  }
// Without stream assignment everything stays on @compute: nothing to order.
// KEEP-LABEL:  plan.program @streams
// KEEP-NOT:      plan.event
// KEEP:          plan.copy @h to @d stream = @compute
// KEEP-NOT:      plan.event
// KEEP:          plan.collective all_reduce {{.*}} stream = @compute ins(@y) outs(@y) {weft.overlap = 0 : i64}
// KEEP-NOT:      plan.event
// KEEP:        }
plan.program @streams device = 0 {
  plan.arena @dev kind = device size = 512
  plan.arena @host kind = host_pinned size = 128
  plan.stream @compute kind = compute
  plan.buffer @x arena = @dev offset = 0 size = 64
  plan.buffer @h arena = @host offset = 0 size = 64
  plan.buffer @d arena = @dev offset = 64 size = 64
  plan.buffer @y arena = @dev offset = 128 size = 64
  plan.buffer @z arena = @dev offset = 192 size = 64
  plan.input "x" @x : tensor<16xf32>
  plan.input "h" @h : tensor<16xf32>
  plan.output "y" @y : tensor<16xf32>
  plan.launch "k0" stream = @compute ins(@x) outs(@z)
  plan.copy @h to @d stream = @compute
  plan.launch "k1" stream = @compute ins(@d, @z) outs(@y)
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @compute ins(@y) outs(@y)
  plan.launch "k2" stream = @compute ins(@x) outs(@z)
  plan.launch "k3" stream = @compute ins(@y) outs(@x)
}

// -----

// A write after reads on another stream waits for the readers
// (write-after-read), and a later reader waits for the write: the copy
// moves to @copy. (A plan that already used two streams without these
// events would not verify: the verifier rejects unordered cross-stream
// uses of a buffer.)
// CHECK-LABEL: plan.program @given_streams
// CHECK:         plan.launch "k0" stream = @compute ins(@d) outs(@x)
// CHECK:         plan.launch "k1" stream = @compute ins(@d) outs(@y)
// CHECK:         plan.event_wait @{{.*}} stream = @copy
// CHECK:         plan.copy @h to @d stream = @copy
// CHECK-NEXT:    plan.event_record @[[E:.*]] stream = @copy
// CHECK-NEXT:    plan.event_wait @[[E]] stream = @compute
// CHECK-NEXT:    plan.launch "k2" stream = @compute ins(@d) outs(@y)
// Without stream assignment nothing moves and nothing needs ordering.
// KEEP-LABEL:  plan.program @given_streams
// KEEP-NOT:      plan.event
// KEEP:        }
plan.program @given_streams device = 0 {
  plan.arena @dev kind = device size = 512
  plan.arena @host kind = host_pinned size = 128
  plan.stream @compute kind = compute
  plan.stream @copy kind = copy
  plan.buffer @x arena = @dev offset = 0 size = 64
  plan.buffer @h arena = @host offset = 0 size = 64
  plan.buffer @d arena = @dev offset = 64 size = 64
  plan.buffer @y arena = @dev offset = 128 size = 64
  plan.launch "k0" stream = @compute ins(@d) outs(@x)
  plan.launch "k1" stream = @compute ins(@d) outs(@y)
  plan.copy @h to @d stream = @compute
  plan.launch "k2" stream = @compute ins(@d) outs(@y)
}

// -----

// An explicit record / wait pair already orders the copy after k0: no new
// event.
// CHECK-LABEL: plan.program @already_ordered
// CHECK:         plan.event @e
// CHECK-NOT:     plan.event @
// CHECK:         plan.launch "k0" stream = @compute ins(@x) outs(@d)
// CHECK-NEXT:    plan.event_record @e stream = @compute
// CHECK-NEXT:    plan.event_wait @e stream = @copy
// CHECK-NEXT:    plan.copy @d to @h stream = @copy
// CHECK-NEXT:  }
plan.program @already_ordered device = 0 {
  plan.arena @dev kind = device size = 128
  plan.arena @host kind = host_pinned size = 64
  plan.stream @compute kind = compute
  plan.stream @copy kind = copy
  plan.event @e
  plan.buffer @x arena = @dev offset = 0 size = 64
  plan.buffer @d arena = @dev offset = 64 size = 64
  plan.buffer @h arena = @host offset = 0 size = 64
  plan.launch "k0" stream = @compute ins(@x) outs(@d)
  plan.event_record @e stream = @compute
  plan.event_wait @e stream = @copy
  plan.copy @d to @h stream = @copy
}

// -----

// negative: a single-stream program gets no events and no new stream; a
// copy between two device arenas stays on @compute.
// CHECK-LABEL: plan.program @negative_single_stream
// CHECK-NOT:     plan.stream @copy
// CHECK-NOT:     plan.stream @comm
// CHECK-NOT:     plan.event
// CHECK:         plan.copy @y to @w stream = @compute
// CHECK-NOT:     plan.event
// CHECK:       }
plan.program @negative_single_stream device = 0 {
  plan.arena @a kind = device size = 256
  plan.arena @b kind = device size = 64
  plan.stream @compute kind = compute
  plan.buffer @x arena = @a offset = 0 size = 64
  plan.buffer @y arena = @a offset = 64 size = 64
  plan.buffer @z arena = @a offset = 128 size = 64
  plan.buffer @w arena = @b offset = 0 size = 64
  plan.launch "k0" stream = @compute ins(@x) outs(@y)
  plan.gemm f32 x f32 -> f32 acc f32 m = 4, n = 4, k = 4 stream = @compute ins(@x, @y) outs(@z)
  plan.launch "k1" stream = @compute ins(@z) outs(@y)
  plan.copy @y to @w stream = @compute
}

// -----

// negative: offsets were already assigned (live ranges set); events would
// renumber the steps.
plan.program @negative_live_ranges device = 0 {
  plan.arena @a kind = device size = 128
  plan.stream @compute kind = compute
  plan.buffer @x arena = @a offset = 0 size = 64
  // expected-error @+1 {{'plan.buffer' op has a live range: run plan-schedule before plan-assign-offsets (events renumber steps)}}
  plan.buffer @t arena = @a offset = 64 size = 64 live = [0, 1]
  plan.launch "k0" stream = @compute ins(@x) outs(@t)
  plan.launch "k1" stream = @compute ins(@t) outs(@x)
}
