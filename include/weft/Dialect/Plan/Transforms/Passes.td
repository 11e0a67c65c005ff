//===- Passes.td - plan passes ------------------------------*- tablegen -*-===//
#ifndef WEFT_DIALECT_PLAN_TRANSFORMS_PASSES_TD
#define WEFT_DIALECT_PLAN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def BuildPlanPass : Pass<"plan-build", "::mlir::ModuleOp"> {
  let summary = "One plan.program per (entry, device) from the scheduled entry";
  let description = [{
    Converts every entry function whose ops are dispatches of outlined
    kernels, GEMM library calls, aliasing reshapes and constants into a
    `plan.program @<entry>.dev<d>` (today: device 0): a buffer per tensor
    (a reshape shares its input's buffer), constants as buffers with `init`
    data in a persistent `@weights` arena (deduplicated), one `plan.launch`
    per dispatch (with the kernel's scratch buffers, sizes from
    `weft.arg_bytes`), one `plan.gemm` per library call, `plan.input` /
    `plan.output` for the function's arguments and results (a result that is
    an argument, a constant or another result is copied into a buffer of its
    own). Arguments marked `weft.state` (parameters) become `plan.state`
    buffers of a persistent `@state` arena, initialized from `weft.init`
    when given. Buffers are placed one after another (no reuse), so the plan
    verifies; `plan-assign-offsets` packs them. Sizes are overflow-checked:
    a tensor too large for memory is an error naming it.

    ```mlir
    func.func @main(%x: tensor<8xf32>) -> tensor<8xf32> {
      %r = weft.dispatch @weft_kernels::@k0(%x) label = "weft.relu" : (tensor<8xf32>) -> tensor<8xf32>
      return %r : tensor<8xf32>
    }
    // adds
    plan.program @main.dev0 device = 0 attributes {entry = "main"} {
      plan.arena @activations kind = device size = 128
      plan.stream @compute kind = compute
      plan.buffer @b0 arena = @activations offset = 0 size = 32
      plan.buffer @b1 arena = @activations offset = 64 size = 32
      plan.input "arg0" @b0 : tensor<8xf32>
      plan.launch "k0" stream = @compute ins(@b0) outs(@b1) {weft.label = "weft.relu"}
      plan.output "out0" @b1 : tensor<8xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::plan::PlanDialect"];
}

def ScheduleStreamsPass : Pass<"plan-schedule", "::mlir::ModuleOp"> {
  let summary = "Assign commands to streams and order them with events";
  let description = [{
    Puts every command of each `plan.program` on a stream by kind
    (collectives and send/recv on `@comm`, copies between arenas of
    different kinds on `@copy`, kernels and GEMMs on `@compute`; streams are
    declared as needed), then makes every cross-stream dependency explicit:
    when a command touches a buffer that a command on another stream wrote
    (or, for a write, read) and no event orders the two yet, an
    `plan.event_record` is inserted after the earlier command and a
    `plan.event_wait` before the later one. Run it before
    `plan-assign-offsets`.

    ```mlir
    plan.copy @h to @d stream = @copy
    plan.launch "k0" stream = @compute ins(@d) outs(@y)
    // becomes
    plan.copy @h to @d stream = @copy
    plan.event_record @e0 stream = @copy
    plan.event_wait @e0 stream = @compute
    plan.launch "k0" stream = @compute ins(@d) outs(@y)
    ```
  }];
  let options = [
    Option<"assignStreams", "assign-streams", "bool", /*default=*/"true",
           "Move commands to streams by kind (off: keep the streams given)">,
  ];
}

def AssignOffsetsPass : Pass<"plan-assign-offsets", "::mlir::ModuleOp"> {
  let summary = "Place buffers at offsets that reuse memory (liveness + best fit)";
  let description = [{
    For every non-persistent arena, computes each buffer's live range from
    the commands that use it (inputs, outputs and buffers of persistent
    arenas live throughout) and places the buffers with best fit so that
    buffers in use at the same time never share bytes; sets `live`, the
    offsets and the arena size (and `weft.lower_bound`, the most bytes live
    at one step). In a program with several streams, buffers whose uses are
    not ordered are kept apart: a buffer touched on more than one stream, or
    in a program with several streams, lives until the end of the program
    (sound; finer reuse across streams is future work).

    ```mlir
    plan.buffer @t0 arena = @a offset = 0 size = 1024
    plan.buffer @t1 arena = @a offset = 1024 size = 1024
    // with @t0 dead before @t1 is written becomes
    plan.buffer @t0 arena = @a offset = 0 size = 1024 live = [0, 1]
    plan.buffer @t1 arena = @a offset = 0 size = 1024 live = [2, 3]
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of every offset (at least the arena's)">,
  ];
}

def VerifyCollectivesPass : Pass<"plan-verify-collectives",
                                  "::mlir::ModuleOp"> {
  let summary = "Check that the devices of an entry agree on every collective";
  let description = [{
    The static plan is deadlock-free only if every device of a collective's
    group issues it, in the same global order, with the same kind,
    reduction, element type, element count and group. This pass checks
    that across all `plan.program`s of an entry (one per device) and
    rejects a mismatch naming the order, the kind and the two devices, so a
    bad plan fails at compile time instead of hanging at run time. It also
    checks that each program belongs to the groups of its collectives
    (that orders increase within a program is the `plan.program`
    verifier's rule).

    ```mlir
    // device 0: plan.collective all_reduce order = 0 group = [0, 1] ...
    //           with weft.type = tensor<8xf32>
    // device 1: plan.collective all_reduce order = 0 group = [0, 1] ...
    //           with weft.type = tensor<4xf32>
    // error: all_reduce order 0: device 1 moves tensor<4xf32>, device 0
    //        tensor<8xf32>
    ```
  }];
}

#endif // WEFT_DIALECT_PLAN_TRANSFORMS_PASSES_TD
