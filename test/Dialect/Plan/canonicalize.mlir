// RUN: weft-opt %s --split-input-file --canonicalize | FileCheck %s

// CHECK-LABEL: plan.program @same_stream_wait
plan.program @same_stream_wait device = 0 {
  plan.stream @s kind = compute
  plan.stream @t kind = comm
  plan.event @e
  // CHECK:      plan.event_record @e stream = @s
  // CHECK-NEXT: plan.event_wait @e stream = @t
  // CHECK-NOT:  plan.event_wait
  plan.event_record @e stream = @s
  plan.event_wait @e stream = @s
  plan.event_wait @e stream = @t
}

// -----

// The wait belongs to the latest record: re-recorded on another stream, the
// wait on @s is a real dependency.
// CHECK-LABEL: plan.program @negative_rerecorded
plan.program @negative_rerecorded device = 0 {
  plan.stream @s kind = compute
  plan.stream @t kind = comm
  plan.event @e
  plan.event_record @e stream = @s
  plan.event_record @e stream = @t
  // CHECK: plan.event_wait @e stream = @s
  plan.event_wait @e stream = @s
}

// -----

// Commands and declarations have effects on memory and streams that the
// canonicalizer must not drop, even though they produce no values.
// CHECK-LABEL: plan.program @negative_commands_kept
plan.program @negative_commands_kept device = 0 {
  plan.arena @a kind = device size = 64
  plan.stream @s kind = compute
  plan.buffer @x arena = @a offset = 0 size = 64
  // CHECK: plan.arena
  // CHECK: plan.buffer
  // CHECK: plan.launch "k" stream = @s ins(@x) outs(@x)
  // CHECK: plan.collective all_reduce
  plan.launch "k" stream = @s ins(@x) outs(@x)
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @s ins(@x) outs(@x)
}
