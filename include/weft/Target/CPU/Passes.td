//===- Passes.td - CPU kernel lowering passes ---------------*- tablegen -*-===//
#ifndef WEFT_TARGET_CPU_PASSES_TD
#define WEFT_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def HoistScratchPass : Pass<"weft-cpu-hoist-scratch", "::mlir::ModuleOp"> {
  let summary = "Turn kernel temporaries into scratch arguments the plan owns";
  let description = [{
    Runs on the bufferized kernel module. Every static allocation at the top
    of a kernel becomes a trailing memref argument (a scratch buffer the
    plan places, so nothing allocates at run time); deallocations go away
    and copies become `linalg.copy` (generated loops). Records on each
    kernel `weft.arg_bytes` (bytes per argument) and `weft.arg_access`
    (1 read, 2 write, 3 both), which the artifact keeps so the loader can
    check every launch. A temporary of dynamic size or inside a loop is an
    error naming the kernel.

    ```mlir
    func.func @k0(%in: memref<8xf32>, %out: memref<8xf32>) {
      %t = memref.alloc() : memref<8xf32>
      ...
    }
    // becomes
    func.func @k0(%in: memref<8xf32>, %out: memref<8xf32>, %t: memref<8xf32>)
        attributes {weft.arg_access = array<i64: 1, 2, 3>,
                    weft.arg_bytes = array<i64: 32, 32, 32>} { ... }
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TileKernelsPass : Pass<"weft-cpu-tile-kernels", "::mlir::ModuleOp"> {
  let summary = "Tile and fuse each kernel into one parallel loop of tiles";
  let description = [{
    Runs on the kernel module on tensors, before bufferization. The ops
    computing a kernel's results are tiled along their leading parallel
    loops into one `scf.forall`, and every other op of the kernel is fused
    into the tile: a fused chain keeps its intermediates per tile instead
    of writing them out. Tile sizes aim at 64 tiles of at least 2048
    iteration points. A tiling is kept only when the whole kernel ends up
    in the loop and no reduction, and no value the kernel returns, is
    computed by several tiles; otherwise fewer loops are tiled, down to
    none (a serial kernel). Kernels with a contraction are left to the
    GEMM code generator. `weft-cpu-parallelize` later runs the loop's
    iterations on the runtime's threads.

    ```mlir
    %e = linalg.generic ... ins(%x : tensor<64x128xf32>) ... // exp(x - max)
    %s = linalg.generic ... reduction ... ins(%e ...)         // row sums
    %r = linalg.generic ... ins(%e, %s ...)                    // e / s
    // becomes
    %r = scf.forall (%i) = (0) to (64) step (1) shared_outs(%o = ...) {
      ... the three ops on row %i ...
    }
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def ParallelizePass : Pass<"weft-cpu-parallelize", "::mlir::ModuleOp"> {
  let summary = "A kernel's parallel loop as a range of iterations per call";
  let description = [{
    Runs on the bufferized kernel module, before weft-cpu-hoist-scratch.
    Every kernel gets two trailing `index` arguments, the range
    [begin, end) of its parallel loop's iterations that one call runs, and
    `weft.parallel_extent`, the number of iterations (the runtime's thread
    pool splits [0, extent) over its threads). A kernel that is one static
    `scf.forall` (and nothing else that touches memory) becomes an
    `scf.for` over the range, the forall's induction variables
    delinearized from it, and its per-tile temporaries become stack memory
    of the calling thread (at most 1 MiB). Any other kernel is serial:
    extent 1, the range unused, each forall a loop nest whose temporaries
    move to the entry block (they become scratch).

    ```mlir
    func.func @k0(%x: memref<64x128xf32>, %y: memref<64x128xf32>) {
      scf.forall (%i) = (0) to (64) step (16) { ... }
    }
    // becomes
    func.func @k0(%x: memref<64x128xf32>, %y: memref<64x128xf32>,
                  %begin: index, %end: index)
        attributes {weft.parallel_extent = 4 : i64} {
      scf.for %t = %begin to %end step %c1 {
        %i = affine.apply affine_map<(d0) -> (d0 * 16)>(%t)
        ...
      }
    }
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::memref::MemRefDialect"];
}

def ApproximateMathPass : Pass<"weft-cpu-approximate-math", "::mlir::ModuleOp"> {
  let summary = "Polynomial f32 tanh, erf, exp and log";
  let description = [{
    Replaces `math.tanh/erf/exp/log` on f32 by polynomial approximations:
    straight-line arithmetic that LLVM vectorizes, instead of one libm call
    per element. f64 math is left alone and becomes libm calls, accurate to
    about an ulp.

    ```mlir
    %y = math.exp %x : f32   // becomes a polynomial in arith ops
    %z = math.exp %d : f64   // stays, later a call to exp
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def AddEntryPointsPass : Pass<"weft-cpu-add-entry-points", "::mlir::ModuleOp"> {
  let summary = "A `void weft_<k>(void **args, i64 begin, i64 end)` per kernel";
  let description = [{
    Runs on the kernel module in the LLVM dialect: for every kernel `@k`
    with `weft.arg_bytes`, adds the exported `@weft_k` that loads one pointer
    per buffer from its `void **` argument and calls `@k` (now internal)
    with them and the range [begin, end) of its parallel loop. The entry
    point carries the argument sizes, access and parallel extent.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def TileContractionsPass
    : Pass<"weft-cpu-tile-contractions", "::mlir::ModuleOp"> {
  let summary = "Blocked, packed, register-tiled GEMMs on tensors";
  let description = [{
    Runs on kernels in linalg on tensors, before bufferization. Every static
    (batched) matrix product -- `linalg.matmul`, `linalg.batch_matmul` or a
    `linalg.generic` with loops (batch..., m, n, k), either operand possibly
    transposed, whose body is `out + ext(a) * ext(b)` accumulating in f32
    (f32/f16/bf16 operands) or i32 (i8/i16/i32 operands) -- becomes:

    - an outermost `scf.forall` over the batch dims and `mc` x `nc` output
      panels: the kernel's parallel loop;
    - inside, an `scf.for` over K-blocks of `kc`; per block, B's `kc` x `nc`
      block is packed (converted to the accumulator type, zero-padded along
      n) into a `tensor<nc/nr x kc x nr>`, 128 KiB by default; a B stored
      transposed is packed in 16x16 blocks transposed with shuffles, an A
      stored transposed is copied into a contiguous `tensor<kc x mc>`;
    - `mr` x `nr` register tiles: `mr * nr / (vector-bits / 32)` accumulator
      vectors carried through the k loop, one broadcast of A per row and one
      `vector.fma` (or `muli`+`addi`) per accumulator and k.

    A product of at most two register tiles of rows reads B in place
    instead (packing would copy each element to read it once or twice),
    and a register tile never has more rows than the product.

    Anything else (dynamic or empty shapes, other element types, other
    bodies) is left unchanged and takes the generic loop path.

    ```mlir
    %c = linalg.matmul ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>)
                       outs(%z : tensor<64x48xf32>) -> tensor<64x48xf32>
    // becomes
    %c = scf.forall (%i, %j) in (1, 1) shared_outs(%o = %z) {
      %t = tensor.extract_slice %o[...] : ... to tensor<64x48xf32>
      %r = scf.for %k0 = %c0 to %c32 step %c32 iter_args(%ct = %t) {
        %pb = scf.for ... vector.transfer_read %b ... vector.transfer_write
        scf.for ... scf.for ... scf.for ... vector.fma ...
      }
      scf.forall.in_parallel { tensor.parallel_insert_slice %r into %o[...] }
    }
    ```
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "SIMD register width in bits (512 for AVX-512, 256 for AVX2)">,
    // Tuned on Zen 5 at 1024^3 f32: 6x64 tiles (24 accumulators, 4 loads
    // and 6 broadcasts per 24 FMAs) beat 8x32 by about 10%; the packed
    // block is kc * nc * 4 = 128 KiB.
    // 0: by vector width, 6 x (4 vectors) with 32 registers (AVX-512),
    // 6 x (2 vectors) with 16 (AVX2, SSE).
    Option<"mr", "mr", "int64_t", "0", "Rows of a register tile (0: 6)">,
    Option<"nr", "nr", "int64_t", "0",
           "Columns of a register tile, a multiple of vector-bits/32 (0: "
           "4 vectors with 512-bit registers, else 2)">,
    Option<"kc", "kc", "int64_t", "256", "K-block depth">,
    Option<"mc", "mc", "int64_t", "96",
           "Rows of a parallel output panel (a multiple of mr)">,
    Option<"nc", "nc", "int64_t", "128",
           "Columns of a parallel output panel (a multiple of nr)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // WEFT_TARGET_CPU_PASSES_TD
