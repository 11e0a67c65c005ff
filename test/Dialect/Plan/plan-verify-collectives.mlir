// RUN: weft-opt %s --split-input-file --plan-verify-collectives --verify-diagnostics | FileCheck %s

// Two devices agreeing on every collective: accepted unchanged.
// CHECK-LABEL: plan.program @main.dev0
// CHECK:         plan.collective all_reduce order = 0
// CHECK-LABEL: plan.program @main.dev1
plan.program @main.dev0 device = 0 attributes {entry = "main"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@x) outs(@x) {weft.type = tensor<8xf32>}
}
plan.program @main.dev1 device = 1 attributes {entry = "main"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@x) outs(@x) {weft.type = tensor<8xf32>}
}

// -----

plan.program @negative_count.dev0 device = 0 attributes {entry = "negative_count"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@x) outs(@x) {weft.type = tensor<8xf32>}
}
plan.program @negative_count.dev1 device = 1 attributes {entry = "negative_count"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  // expected-error @+1 {{all_reduce order 0: device 1 and device 0 disagree on the tensor it moves (element type or count)}}
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@x) outs(@x) {weft.type = tensor<4xf32>}
}

// -----

plan.program @negative_kind.dev0 device = 0 attributes {entry = "negative_kind"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@x) outs(@x) {weft.type = tensor<8xf32>}
}
plan.program @negative_kind.dev1 device = 1 attributes {entry = "negative_kind"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  // expected-error @+1 {{all_reduce order 0: device 1 and device 0 disagree on the kind}}
  plan.collective all_gather order = 0 group = [0, 1] stream = @comm ins(@x) outs(@x) {weft.type = tensor<8xf32>}
}

// -----

// Device 1 never issues the collective: the plan would hang.
plan.program @negative_missing.dev0 device = 0 attributes {entry = "negative_missing"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  // expected-error @+1 {{all_reduce order 0: device 1 of its group never issues it (the plan would hang)}}
  plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@x) outs(@x) {weft.type = tensor<8xf32>}
}
plan.program @negative_missing.dev1 device = 1 attributes {entry = "negative_missing"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
}

// -----

plan.program @negative_group.dev0 device = 0 attributes {entry = "negative_group"} {
  plan.arena @a kind = device size = 64
  plan.stream @comm kind = comm
  plan.buffer @x arena = @a offset = 0 size = 32
  // expected-error @+1 {{runs on device 0, which is not in its group}}
  plan.collective all_reduce order = 0 group = [1, 2] reduce = sum stream = @comm ins(@x) outs(@x) {weft.type = tensor<8xf32>}
}
