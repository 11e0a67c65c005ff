//===- Passes.td - dist passes ------------------------------*- tablegen -*-===//
#ifndef WEFT_DIALECT_DIST_TRANSFORMS_PASSES_TD
#define WEFT_DIALECT_DIST_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AutoShardPass : Pass<"dist-auto-shard", "::mlir::ModuleOp"> {
  let summary = "Choose an SBP sharding for every value of the entry functions";
  let description = [{
    Given a `dist.mesh`, picks for every op of every entry function (`@main`
    or `weft.entry`) one of its legal SBP signatures (derived from its
    `ShardingRuleOpInterface`) and for every argument a layout, minimizing
    the predicted step time of the cost model (compute per device plus the
    collectives of every resharding, alpha-beta per mesh axis) under a
    per-device memory budget. `dist.annotate` pins are kept. Repeated
    layers share their decisions. Ops without a sharding rule run
    replicated, with a warning naming them.

    The result: every op carries `dist.sharding` (its result's layout),
    every argument and result a `dist.sharding` attribute, and a
    `dist.reshard` stands wherever a value is consumed in a layout other
    than the one it was produced in. Partial sums stay lazy: a `P(sum)`
    value is reduced only where a consumer needs `B` or `S` (`P -> S` is a
    reduce-scatter); results leave the function without pending partials.

    The report (`report=FILE`, `-` for stdout) lists per op the chosen
    strategy, its compute and communication time and its collectives (kind,
    mesh axis, bytes), then the predicted step time and peak memory per
    device, the search mode and, in exact mode, the optimality gap.

    ```mlir
    dist.mesh @mesh shape = [4] axes = ["tp"]
    func.func @main(%x: tensor<64x128xf32>, %w: tensor<128x512xf32>)
        -> tensor<64x512xf32> {
      %y = weft.matmul %x, %w : tensor<64x128xf32>, tensor<128x512xf32>
          -> tensor<64x512xf32>
      return %y : tensor<64x512xf32>
    }
    // becomes (one possible choice)
    func.func @main(%x: tensor<64x128xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                    %w: tensor<128x512xf32> {dist.sharding = #dist.sharding<@mesh, [B]>})
        -> (tensor<64x512xf32> {dist.sharding = #dist.sharding<@mesh, [S(0)]>}) {
      %y = weft.matmul %x, %w {dist.sharding = #dist.sharding<@mesh, [S(0)]>} : ...
      return %y : tensor<64x512xf32>
    }
    ```
  }];
  let options = [
    Option<"meshName", "mesh", "std::string", /*default=*/"\"\"",
           "The dist.mesh to shard over (default: the module's only mesh)">,
    Option<"mode", "mode", "std::string", /*default=*/"\"fast\"",
           "Search mode: fast (elimination + local search) or exact (ILP)">,
    Option<"training", "training", "bool", /*default=*/"false",
           "Model a training step: backward compute, the gradient "
           "all-reduce of every replicated use of a value that needs a "
           "gradient, the backward of every reshard, parameters with "
           "gradients and Adam state in memory">,
    Option<"memoryBudget", "memory-budget", "int64_t", /*default=*/"0",
           "Bytes per device (0: the mesh's memory_bytes)">,
    Option<"shareRepeated", "share-repeated", "bool", /*default=*/"true",
           "Ops with identical neighbourhoods (repeated layers) share one "
           "decision">,
    Option<"timeLimit", "time-limit", "double", /*default=*/"60",
           "Exact mode: solver time limit in seconds">,
    Option<"reportFile", "report", "std::string", /*default=*/"\"\"",
           "Write the sharding report here (- for stdout)">,
    Option<"reportFormat", "report-format", "std::string",
           /*default=*/"\"table\"", "Report format: table or json">,
  ];
  let dependentDialects = ["::mlir::dist::DistDialect"];
}

def PartitionPass : Pass<"dist-partition", "::mlir::ModuleOp"> {
  let summary = "Rewrite sharded entry functions into per-device (SPMD) form";
  let description = [{
    Takes entry functions after `dist-auto-shard` (a `dist.sharding` on every
    argument, op result and function result) and rewrites each into the
    program every device runs: arguments, results and op results get their
    per-device (local) shapes; each `dist.reshard` becomes the chain of
    per-axis steps the boxing planner chooses, as explicit `dist`
    collectives (`all_reduce`, `all_gather`, `reduce_scatter`,
    `all_to_all`) and local steps (`local_slice`, `make_partial`);
    `dist.annotate` pins disappear. Every collective gets a `dist.order`
    number, the same on every device. Means split over a reduced dim are
    rescaled so that their partial values sum to the mean. The function is
    marked `dist.partitioned = @mesh`; the argument and result `dist.sharding`
    attributes stay (they say which device holds which slice).

    An op whose local form cannot be built yet (a vocabulary-split
    embedding, a cut slice of a split dim) is an error naming the op.

    ```mlir
    // [S(0), P(sum)] -> [S(0), B] on mesh 2x4 for a 4096x512 result:
    %r = dist.reshard %y from <@mesh, [S(0), P(sum)]> to <@mesh, [S(0), B]>
        : tensor<4096x512xf32>
    // becomes, per device (local 2048x512)
    %r = dist.all_reduce %y on @mesh mesh_axes = [1] kind = sum
        {dist.order = 0 : i64} : tensor<2048x512xf32>
    ```
  }];
  let dependentDialects = ["::mlir::dist::DistDialect",
                           "::mlir::weft::WeftDialect"];
}

def SpecializeDevicesPass : Pass<"dist-specialize", "::mlir::ModuleOp"> {
  let summary = "One static function per device from each partitioned entry";
  let description = [{
    Clones every entry marked `dist.partitioned` (the output of
    `dist-partition`) into `@<entry>.part<d>` for each device `d` of the mesh
    (row-major device numbers), so that every later pass sees static
    per-device programs:

    * `dist.local_slice` becomes a `weft.slice` of this device's chunk;
    * `dist.make_partial` keeps the value on the group's first device and
      is a zero constant on the others;
    * every collective gets `dist.group`, the devices taking part in group
      order, and its own global order number (logical order x devices +
      the group's index, so disjoint groups running the same step never
      share a number and every program's orders still increase); a gather or scatter along a dim that is not outermost is
      wrapped in transposes, so the runtime's collectives always move
      contiguous chunks; an all_to_all becomes an all_gather and a slice;
    * arguments and results get `dist.start` and `dist.global_type` (where
      this device's slice lies in the global tensor), and a parameter's
      initial value (`weft.init`) is cut to its slice.

    Each clone is an entry (`weft.entry`) with `dist.device` and
    `dist.entry` (the original name); the partitioned function is removed.

    ```mlir
    // on device 1 of a mesh of 4, for a 64x8 value split on dim 0
    %s = dist.local_slice %x on @mesh mesh_axes = [0] dim = 0
        : tensor<64x8xf32> -> tensor<16x8xf32>
    // becomes
    %s = weft.slice %x starts = [16, 0] limits = [32, 8]
        : tensor<64x8xf32> -> tensor<16x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::dist::DistDialect",
                           "::mlir::weft::WeftDialect"];
}

#endif // WEFT_DIALECT_DIST_TRANSFORMS_PASSES_TD
