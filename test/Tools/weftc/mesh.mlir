// weftc with a device mesh: shards the entries (dist-auto-shard), prints
// the plan report, and writes an artifact with one program per device (or
// the sharded IR with --emit=sharded); bad mesh flags are clear errors.
// RUN: weftc %s -q --mesh=4 --mesh-axes=tp --mesh-topology="latency_us=1;bandwidth_gbps=10;flops=1e11" --shard-training --emit=sharded --report 2>&1 | FileCheck %s
// RUN: weftc %s -q --mesh=4 --mesh-axes=tp --mesh-topology="latency_us=1;bandwidth_gbps=10;flops=1e11" --shard-training --report=%t.json --report-format=json --emit=sharded -o %t.mlir
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// A report path with characters the pass-pipeline syntax uses.
// RUN: weftc %s -q --mesh=4 --emit=sharded "--report=%t a}b,c.txt" -o /dev/null
// RUN: FileCheck %s --check-prefix=ODDPATH < "%t a}b,c.txt"
// RUN: FileCheck %s --check-prefix=IR < %t.mlir
// RUN: not weftc %s --mesh=2x0 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not weftc %s --mesh=2x4 --mesh-axes=dp 2>&1 | FileCheck %s --check-prefix=AXES
// RUN: not weftc %s --mesh=2 --mesh-topology="latency_us=1,2" 2>&1 | FileCheck %s --check-prefix=PERAXIS
// RUN: not weftc %s --mesh=2 --mesh-topology="speed=3" 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not weftc %s --mesh=2 --mesh-topology="flops=-1" 2>&1 | FileCheck %s --check-prefix=VALUE
// RUN: weftc %s -q --mesh=4 --mesh-topology="latency_us=1;bandwidth_gbps=10;flops=1e11" --shard-training --emit=plan | FileCheck %s --check-prefix=PLAN
// RUN: not weftc %s --emit=sharded 2>&1 | FileCheck %s --check-prefix=STAGE
// RUN: not weftc %s --mesh=2 --shard-mode=best 2>&1 | FileCheck %s --check-prefix=MODE
// RUN: not weftc %s --mesh-axes=dp 2>&1 | FileCheck %s --check-prefix=NOMESH
// RUN: not weftc %s --mesh=128x64 -o %t.weft 2>&1 | FileCheck %s --check-prefix=MANY

// The b = 128, h = 1024 MLP of test/Dialect/Dist/dist-auto-shard.mlir:
// tensor parallel, one all_reduce of 512 KiB.
// CHECK: sharding of @main over @mesh 4 (tp) (fast search, training step)
// CHECK: weft.matmul [S(1)], [S(0)] -> [P(sum)] {{.*}} all_reduce(tp, 512.0 KiB)
// CHECK: predicted step time per device
// CHECK: func.func @main
// CHECK: dist.reshard

// JSON: "functions": [
// JSON: "bytes": 524288
// JSON: "kind": "all_reduce"
// JSON: "predicted_step_seconds":
// JSON: "mode": "fast"

// ODDPATH: sharding of @main over @mesh 4 (d0)
// IR: dist.mesh @mesh shape = [4] axes = ["tp"]
// IR: {dist.sharding = #dist.sharding<@mesh, [S(1)]>, weft.state = "w1"}

// SHAPE: weftc: error: --mesh=2x0: expected axis sizes like 2x4
// AXES: weftc: error: --mesh-axes=dp names 1 axes but --mesh=2x4 has 2
// PERAXIS: weftc: error: --mesh-topology: latency_us has 2 values but the mesh has 1 axes
// KEY: weftc: error: --mesh-topology: unknown key 'speed'
// VALUE: weftc: error: --mesh-topology: flops needs positive numbers, got '-1'
// STAGE: error: weftc: --emit=sharded needs a mesh (--mesh=... or a dist.mesh op)
// One program per device, the same collective order on each.
// PLAN-COUNT-4: plan.collective all_reduce order = 0 group = [0, 1, 2, 3] reduce = sum
// MODE: weftc: error: --shard-mode=best: expected fast or exact
// NOMESH: weftc: error: --mesh-axes and --mesh-topology need --mesh
// MANY: error: dist-specialize: a mesh of 8192 devices needs 8192 per-device programs; weft builds at most 4096
func.func @main(%x: tensor<128x1024xf32>, %w1: tensor<1024x1024xf32> {weft.state = "w1"}, %w2: tensor<1024x1024xf32> {weft.state = "w2"}) -> tensor<128x1024xf32> {
  %h = weft.matmul %x, %w1 : tensor<128x1024xf32>, tensor<1024x1024xf32> -> tensor<128x1024xf32>
  %g = weft.gelu %h : tensor<128x1024xf32>
  %y = weft.matmul %g, %w2 : tensor<128x1024xf32>, tensor<1024x1024xf32> -> tensor<128x1024xf32>
  return %y : tensor<128x1024xf32>
}
