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

#endif // WEFT_DIALECT_DIST_TRANSFORMS_PASSES_TD
