//===- PlanOps.td - static per-device execution plans -------*- tablegen -*-===//
#ifndef WEFT_DIALECT_PLAN_IR_PLANOPS_TD
#define WEFT_DIALECT_PLAN_IR_PLANOPS_TD

include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "weft/Dialect/Common/CommonAttrs.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Plan_Dialect : Dialect {
  let name = "plan";
  let cppNamespace = "::mlir::plan";
  let summary = "Static per-device execution plans";
  let description = [{
    A `plan.program` is everything one device does in one step, decided
    ahead of time: its memory arenas, the buffers placed in them at fixed
    offsets, its streams, and one ordered list of commands (kernel launches,
    library calls, collectives, copies, event record/wait). The runtime
    replays the list; it allocates nothing and schedules nothing.

    Commands are numbered by their position in the program (step 0, 1, ...)
    and issued in that order; each runs on one stream. One command
    *happens before* another when both are on the same stream and it comes
    first, or through an event: a record on one stream followed by a wait
    on another (transitively). A buffer's `live = [first, last]` range
    names the steps that may touch it; buffers with no range live for the
    whole program and beyond it (weights, state, inputs, outputs). The
    verifier proves that two buffers sharing bytes of an arena are never in
    use at once: every use of one happens before every use of the other.
    It also proves that every offset lies inside its arena (with
    overflow-checked arithmetic), that commands only touch live buffers,
    that every event wait follows a record of that event, and that
    inputs, outputs and state have unique names that are safe as file
    names.

    ```mlir
    plan.program @dev0 device = 0 {
      plan.arena @dev kind = device size = 2048
      plan.stream @compute kind = compute
      plan.buffer @x arena = @dev offset = 0 size = 1024
      plan.buffer @y arena = @dev offset = 1024 size = 1024 live = [0, 1]
      plan.input "x" @x : tensor<256xf32>
      plan.output "y" @x : tensor<256xf32>
      plan.launch "relu_0" stream = @compute ins(@x) outs(@y)
      plan.launch "exp_1" stream = @compute ins(@y) outs(@x)
    }
    ```
  }];
}

class Plan_Op<string mnemonic, list<Trait> traits = []>
    : Op<Plan_Dialect, mnemonic, traits>;

def Plan_ArenaKind : I32EnumAttr<"ArenaKind", "where an arena lives", [
    I32EnumAttrCase<"device", 0>, I32EnumAttrCase<"host_pinned", 1>]> {
  let cppNamespace = "::mlir::plan";
}

def Plan_StreamKind : I32EnumAttr<"StreamKind", "what a stream is for", [
    I32EnumAttrCase<"compute", 0>, I32EnumAttrCase<"comm", 1>,
    I32EnumAttrCase<"copy", 2>]> {
  let cppNamespace = "::mlir::plan";
}

def Plan_CollectiveKind : I32EnumAttr<"CollectiveKind", "collective", [
    I32EnumAttrCase<"all_reduce", 0>, I32EnumAttrCase<"all_gather", 1>,
    I32EnumAttrCase<"reduce_scatter", 2>, I32EnumAttrCase<"all_to_all", 3>,
    I32EnumAttrCase<"broadcast", 4>, I32EnumAttrCase<"send", 5>,
    I32EnumAttrCase<"recv", 6>]> {
  let cppNamespace = "::mlir::plan";
}

def Plan_ReductionKind : I32EnumAttr<"ReductionKind", "reduction of a collective", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"max", 1>,
    I32EnumAttrCase<"min", 2>, I32EnumAttrCase<"prod", 3>]> {
  let cppNamespace = "::mlir::plan";
}

def Plan_Epilogue : I32EnumAttr<"Epilogue", "what a GEMM applies to its result", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"bias", 1>,
    I32EnumAttrCase<"bias_relu", 2>, I32EnumAttrCase<"bias_gelu", 3>]> {
  let cppNamespace = "::mlir::plan";
}

/// The ops that are steps of a program (as opposed to declarations).
def Plan_CommandInterface : OpInterface<"PlanCommand"> {
  let cppNamespace = "::mlir::plan";
  let description = [{
    A step of a `plan.program`: it runs on one stream and touches buffers.
    Passes and the verifier see every command through this interface.
  }];
  let methods = [
    InterfaceMethod<"The stream the command runs on.",
      "::mlir::FlatSymbolRefAttr", "getStreamAttr">,
    InterfaceMethod<"Buffers the command reads.",
      "::llvm::SmallVector<::mlir::FlatSymbolRefAttr>", "getReadBuffers">,
    InterfaceMethod<"Buffers the command writes.",
      "::llvm::SmallVector<::mlir::FlatSymbolRefAttr>", "getWrittenBuffers">,
  ];
}
def Plan_Command : DeclareOpInterfaceMethods<Plan_CommandInterface>;

def Plan_ProgramOp : Plan_Op<"program", [Symbol, SymbolTable,
    HasParent<"::mlir::ModuleOp">,
    IsolatedFromAbove, NoTerminator, SingleBlock, NoRegionArguments,
    HasOnlyGraphRegion]> {
  let summary = "The static plan of one device";
  let description = [{
    Holds declarations (`plan.arena`, `plan.buffer`, `plan.stream`,
    `plan.event`, `plan.input`, `plan.output`, `plan.state`) and commands,
    which are issued in the order written. `entry` names the entry function
    this program is the device's part of.

    ```mlir
    plan.program @dev0 device = 0 {
      plan.arena @dev kind = device size = 1024
      plan.stream @s kind = compute
      plan.buffer @x arena = @dev offset = 0 size = 1024
      plan.launch "k0" stream = @s ins(@x) outs(@x)
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Weft_SI64Attr:$device,
                       OptionalAttr<StrAttr>:$entry);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat =
      "$sym_name `device` `=` $device attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The program's commands in execution order.
    ::llvm::SmallVector<::mlir::Operation *> getCommands();
  }];
}

def Plan_ArenaOp : Plan_Op<"arena", [Symbol, HasParent<"ProgramOp">]> {
  let summary = "A block of memory allocated once at load time";
  let description = [{
    `kind` is `device` (accelerator or, on CPU, main memory) or
    `host_pinned` (page-locked host memory for swapped-out tensors).
    `alignment` (bytes, a power of two) applies to every buffer offset. A
    `persistent` arena keeps its contents between runs: weights, parameters
    and other state, bound once at load.

    ```mlir
    plan.arena @dev kind = device size = 1048576 alignment = 64
    plan.arena @weights kind = device size = 4096 persistent
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Plan_ArenaKind:$kind,
                       Weft_SI64Attr:$size,
                       DefaultValuedAttr<Weft_SI64Attr, "64">:$alignment,
                       UnitAttr:$persistent);
  let assemblyFormat = [{
    $sym_name `kind` `=` $kind `size` `=` $size
    (`alignment` `=` $alignment^)? (`persistent` $persistent^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Plan_BufferOp : Plan_Op<"buffer", [Symbol, HasParent<"ProgramOp">]> {
  let summary = "A tensor's bytes at a fixed offset in an arena";
  let description = [{
    `live = [first, last]` (inclusive command steps) bounds when the buffer
    holds data; without it the buffer is live for the whole program. `init`
    (only in a persistent arena) is the data bound to it at load: a
    constant or a parameter's initial value, of exactly the buffer's size.

    ```mlir
    plan.buffer @t3 arena = @dev offset = 4096 size = 2048 live = [2, 5]
    plan.buffer @w arena = @weights offset = 0 size = 16 init = dense<1.0> : tensor<4xf32>
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$arena,
                       Weft_SI64Attr:$offset, Weft_SI64Attr:$size,
                       OptionalAttr<DenseI64ArrayAttr>:$live,
                       OptionalAttr<ElementsAttr>:$init);
  let assemblyFormat = [{
    $sym_name `arena` `=` $arena `offset` `=` $offset `size` `=` $size
    (`live` `=` $live^)? (`init` `=` $init^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Plan_StreamOp : Plan_Op<"stream", [Symbol, HasParent<"ProgramOp">]> {
  let summary = "An in-order queue of commands";
  let description = [{
    ```mlir
    plan.stream @comm kind = comm
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Plan_StreamKind:$kind);
  let assemblyFormat = "$sym_name `kind` `=` $kind attr-dict";
}

def Plan_EventOp : Plan_Op<"event", [Symbol, HasParent<"ProgramOp">]> {
  let summary = "A synchronization point between streams";
  let description = [{
    ```mlir
    plan.event @grads_ready
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let assemblyFormat = "$sym_name attr-dict";
}

class Plan_TensorOp<string mnemonic, string what>
    : Plan_Op<mnemonic, [HasParent<"ProgramOp">]> {
  let summary = "Names a buffer as the program's " # what;
  let description = [{
    Gives a buffer a name, an element type and a shape, so the runtime can
    bind it. Names are unique among the program's inputs, outputs and state
    and are safe as file names (`weft-run` writes `<name>.npy`).

    On a device of a mesh the buffer may hold one slice of a larger global
    tensor: `at [start...] of <global type>` gives where (the runtime
    scatters inputs and state to, and gathers outputs from, these slices;
    the same slice on several devices is a replicated tensor).

    ```mlir
    plan.input "x" @b0 : tensor<2x16xf32>
    plan.output "y" @b3 : tensor<2x16xf32>
    plan.state "fc1.weight" @w0 : tensor<16x16xf32>
    plan.input "x" @b0 at [2, 0] of tensor<8x16xf32> : tensor<2x16xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, FlatSymbolRefAttr:$buffer,
                       TypeAttrOf<AnyRankedTensor>:$type,
                       OptionalAttr<DenseI64ArrayAttr>:$start,
                       OptionalAttr<TypeAttrOf<AnyRankedTensor>>:$global_type);
  let assemblyFormat = [{
    $name $buffer (`at` $start^ `of` $global_type)? attr-dict `:` $type
  }];
  let hasVerifier = 1;
}

def Plan_InputOp : Plan_TensorOp<"input", "input (written before a run)">;
def Plan_OutputOp : Plan_TensorOp<"output", "output (read after a run)">;
def Plan_StateOp : Plan_TensorOp<"state",
    "persistent state (a parameter, kept between runs)">;

class Plan_CommandOp<string mnemonic, list<Trait> traits = []>
    : Plan_Op<mnemonic, !listconcat(traits,
                                    [Plan_Command, HasParent<"ProgramOp">])>;

def Plan_LaunchOp : Plan_CommandOp<"launch"> {
  let summary = "Runs one generated kernel";
  let description = [{
    `kernel` names a kernel in the artifact's kernel object; `ins` and
    `outs` are its buffer arguments in order (`outs` include the scratch
    buffers the kernel uses for temporaries). `extent` is the parallel
    extent: how many pieces of work the runtime may run at once (1: serial).

    ```mlir
    plan.launch "fused_3" stream = @compute ins(@a, @b) outs(@c)
    plan.launch "k4" stream = @compute ins(@a) outs(@c) extent = 16
    ```
  }];
  let arguments = (ins StrAttr:$kernel, FlatSymbolRefAttr:$stream,
                       SymbolRefArrayAttr:$ins, SymbolRefArrayAttr:$outs,
                       DefaultValuedAttr<Weft_SI64Attr, "1">:$extent);
  let assemblyFormat = [{
    $kernel `stream` `=` $stream `ins` `(` custom<SymbolList>($ins) `)`
    `outs` `(` custom<SymbolList>($outs) `)` (`extent` `=` $extent^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Plan_GemmOp : Plan_CommandOp<"gemm"> {
  let summary = "A GEMM library call (BLAS, cuBLASLt)";
  let description = [{
    `C[b] = op(A[b]) x op(B[b])` for `b < batch` on row-major matrices,
    `op` transposing when `trans_a` / `trans_b` is set; `ins` are `A, B`
    (and the bias for a bias epilogue), `outs` is `C`. Strides (elements
    between consecutive batch matrices) default to dense packing; 0
    broadcasts one matrix over the batch. `acc` is the accumulator type:
    f32 for f32/f16/bf16 operands, i32 for i8. `k = 0` gives zeros. There is
    no f64 library GEMM: f64 products are generated kernels.

    ```mlir
    plan.gemm f32 x f32 -> f32 acc f32 m = 8, n = 32, k = 16 stream = @compute ins(@x, @w) outs(@y)
    plan.gemm f16 x f16 -> f16 acc f32 m = 16, n = 16, k = 16 batch = 4 trans_b stream = @compute ins(@q, @k) outs(@s)
    ```
  }];
  let arguments = (ins TypeAttr:$a_type, TypeAttr:$b_type, TypeAttr:$c_type,
                       TypeAttr:$acc_type,
                       Weft_SI64Attr:$m, Weft_SI64Attr:$n, Weft_SI64Attr:$k,
                       DefaultValuedAttr<Weft_SI64Attr, "1">:$batch,
                       OptionalAttr<Weft_SI64Attr>:$stride_a,
                       OptionalAttr<Weft_SI64Attr>:$stride_b,
                       OptionalAttr<Weft_SI64Attr>:$stride_c,
                       UnitAttr:$trans_a, UnitAttr:$trans_b,
                       DefaultValuedAttr<Plan_Epilogue,
                                         "::mlir::plan::Epilogue::none">:$epilogue,
                       FlatSymbolRefAttr:$stream,
                       SymbolRefArrayAttr:$ins, SymbolRefArrayAttr:$outs);
  let assemblyFormat = [{
    $a_type `x` $b_type `->` $c_type `acc` $acc_type
    `m` `=` $m `,` `n` `=` $n `,` `k` `=` $k
    (`batch` `=` $batch^)? (`trans_a` $trans_a^)? (`trans_b` $trans_b^)?
    (`epilogue` `=` $epilogue^)?
    `stream` `=` $stream `ins` `(` custom<SymbolList>($ins) `)`
    `outs` `(` custom<SymbolList>($outs) `)` attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Elements between batch matrices (the stride, or dense packing;
    /// INT64_MAX when dense packing overflows, which no buffer holds).
    int64_t getStrideAOrDefault() { return getStrideA().value_or(denseStride(getM(), getK())); }
    int64_t getStrideBOrDefault() { return getStrideB().value_or(denseStride(getK(), getN())); }
    int64_t getStrideCOrDefault() { return getStrideC().value_or(denseStride(getM(), getN())); }
    static int64_t denseStride(int64_t rows, int64_t cols) {
      int64_t out;
      return __builtin_mul_overflow(rows, cols, &out) ? INT64_MAX : out;
    }
  }];
}

def Plan_CollectiveOp : Plan_CommandOp<"collective"> {
  let summary = "A collective or point-to-point transfer";
  let description = [{
    `order` is the collective's global number: every rank issues its
    collectives in increasing `order`, which is what makes the plan
    deadlock-free. `group` lists the devices taking part, in rank order
    (collectives); `peer` names the other device of a send or recv.
    `reduce` is the reduction of all_reduce and reduce_scatter.

    ```mlir
    plan.collective all_reduce order = 0 group = [0, 1] reduce = sum stream = @comm ins(@g) outs(@g)
    plan.collective send order = 1 stream = @comm ins(@act) outs() peer = 1
    ```
  }];
  let arguments = (ins Plan_CollectiveKind:$kind, Weft_SI64Attr:$order,
                       OptionalAttr<DenseI64ArrayAttr>:$group,
                       OptionalAttr<Plan_ReductionKind>:$reduce,
                       FlatSymbolRefAttr:$stream, SymbolRefArrayAttr:$ins,
                       SymbolRefArrayAttr:$outs, OptionalAttr<Weft_SI64Attr>:$peer);
  let assemblyFormat = [{
    $kind `order` `=` $order (`group` `=` $group^)? (`reduce` `=` $reduce^)?
    `stream` `=` $stream
    `ins` `(` custom<SymbolList>($ins) `)`
    `outs` `(` custom<SymbolList>($outs) `)` (`peer` `=` $peer^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Plan_CopyOp : Plan_CommandOp<"copy"> {
  let summary = "Copies one buffer into another of the same size";
  let description = [{
    Between arenas this is a device-to-host or host-to-device copy (swap).

    ```mlir
    plan.copy @act to @act_host stream = @copy
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$source, FlatSymbolRefAttr:$target,
                       FlatSymbolRefAttr:$stream);
  let assemblyFormat = "$source `to` $target `stream` `=` $stream attr-dict";
}

def Plan_EventRecordOp : Plan_CommandOp<"event_record"> {
  let summary = "Marks the point reached on a stream";
  let description = [{
    ```mlir
    plan.event_record @e0 stream = @compute
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$event, FlatSymbolRefAttr:$stream);
  let assemblyFormat = "$event `stream` `=` $stream attr-dict";
}

def Plan_EventWaitOp : Plan_CommandOp<"event_wait"> {
  let summary = "Holds a stream until an event's recorded point is reached";
  let description = [{
    The event must be recorded by an earlier command. A wait on the stream
    that made the event's latest record is a no-op (streams run in order) and
    canonicalization removes it.

    ```mlir
    plan.event_wait @e0 stream = @comm
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$event, FlatSymbolRefAttr:$stream);
  let assemblyFormat = "$event `stream` `=` $stream attr-dict";
  let hasCanonicalizeMethod = 1;
}

#endif // WEFT_DIALECT_PLAN_IR_PLANOPS_TD
