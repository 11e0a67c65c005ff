//===- PlanOps.td - static per-device execution plans -------*- tablegen -*-===//
#ifndef WEFT_DIALECT_PLAN_IR_PLANOPS_TD
#define WEFT_DIALECT_PLAN_IR_PLANOPS_TD

include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "weft/Dialect/Common/CommonAttrs.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/IR/SymbolInterfaces.td"

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

    Commands are numbered by their position in the program (step 0, 1, ...).
    A buffer's `live = [first, last]` range names the steps that may touch
    it; buffers with no range live for the whole program (weights, inputs,
    outputs). The verifier proves that no two buffers that are live at the
    same step overlap in their arena, that every offset lies inside its
    arena, that commands only touch live buffers, and that every event wait
    follows a record of that event.

    ```mlir
    plan.program @dev0 device = 0 {
      plan.arena @dev kind = device size = 2048
      plan.stream @compute kind = compute
      plan.buffer @x arena = @dev offset = 0 size = 1024
      plan.buffer @y arena = @dev offset = 1024 size = 1024 live = [0, 1]
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

/// Marks the ops that are steps of a program (as opposed to declarations).
def Plan_Command : NativeOpTrait<"PlanCommand"> {
  let cppNamespace = "::mlir::plan";
}

def Plan_ProgramOp : Plan_Op<"program", [Symbol, SymbolTable,
    HasParent<"::mlir::ModuleOp">,
    IsolatedFromAbove, NoTerminator, SingleBlock, NoRegionArguments,
    HasOnlyGraphRegion]> {
  let summary = "The static plan of one device";
  let description = [{
    Holds declarations (`plan.arena`, `plan.buffer`, `plan.stream`,
    `plan.event`) and commands, which run in the order written.

    ```mlir
    plan.program @dev0 device = 0 {
      plan.arena @dev kind = device size = 1024
      plan.stream @s kind = compute
      plan.buffer @x arena = @dev offset = 0 size = 1024
      plan.launch "k0" stream = @s ins(@x) outs(@x)
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Weft_SI64Attr:$device);
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
    `alignment` (bytes, a power of two) applies to every buffer offset.

    ```mlir
    plan.arena @dev kind = device size = 1048576 alignment = 64
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, Plan_ArenaKind:$kind,
                       Weft_SI64Attr:$size,
                       DefaultValuedAttr<Weft_SI64Attr, "64">:$alignment);
  let assemblyFormat = [{
    $sym_name `kind` `=` $kind `size` `=` $size
    (`alignment` `=` $alignment^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Plan_BufferOp : Plan_Op<"buffer", [Symbol, HasParent<"ProgramOp">]> {
  let summary = "A tensor's bytes at a fixed offset in an arena";
  let description = [{
    `live = [first, last]` (inclusive command steps) bounds when the buffer
    holds data; without it the buffer is live for the whole program.

    ```mlir
    plan.buffer @t3 arena = @dev offset = 4096 size = 2048 live = [2, 5]
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, FlatSymbolRefAttr:$arena,
                       Weft_SI64Attr:$offset, Weft_SI64Attr:$size,
                       OptionalAttr<DenseI64ArrayAttr>:$live);
  let assemblyFormat = [{
    $sym_name `arena` `=` $arena `offset` `=` $offset `size` `=` $size
    (`live` `=` $live^)? attr-dict
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

class Plan_CommandOp<string mnemonic, list<Trait> traits = []>
    : Plan_Op<mnemonic, !listconcat(traits,
                                    [Plan_Command, HasParent<"ProgramOp">])>;

def Plan_LaunchOp : Plan_CommandOp<"launch"> {
  let summary = "Runs one generated kernel";
  let description = [{
    `kernel` names a kernel in the artifact's kernel object; `ins` and
    `outs` are its buffer arguments in order.

    ```mlir
    plan.launch "fused_3" stream = @compute ins(@a, @b) outs(@c)
    ```
  }];
  let arguments = (ins StrAttr:$kernel, FlatSymbolRefAttr:$stream,
                       SymbolRefArrayAttr:$ins, SymbolRefArrayAttr:$outs);
  let assemblyFormat = [{
    $kernel `stream` `=` $stream `ins` `(` custom<SymbolList>($ins) `)`
    `outs` `(` custom<SymbolList>($outs) `)` attr-dict
  }];
}

def Plan_LibraryCallOp : Plan_CommandOp<"library_call"> {
  let summary = "Calls a vendor library routine (GEMM, convolution)";
  let description = [{
    ```mlir
    plan.library_call "gemm" stream = @compute ins(@x, @w) outs(@y) {m = 8, n = 32, k = 16}
    ```
  }];
  let arguments = (ins StrAttr:$callee, FlatSymbolRefAttr:$stream,
                       SymbolRefArrayAttr:$ins, SymbolRefArrayAttr:$outs);
  let assemblyFormat = [{
    $callee `stream` `=` $stream `ins` `(` custom<SymbolList>($ins) `)`
    `outs` `(` custom<SymbolList>($outs) `)` attr-dict
  }];
}

def Plan_CollectiveOp : Plan_CommandOp<"collective"> {
  let summary = "A collective or point-to-point transfer";
  let description = [{
    `order` is the collective's global number: every rank issues its
    collectives in increasing `order`, which is what makes the plan
    deadlock-free. `peer` names the other device of a send or recv.

    ```mlir
    plan.collective all_reduce order = 0 stream = @comm ins(@g) outs(@g) {group = array<i64: 0, 1>}
    plan.collective send order = 1 stream = @comm ins(@act) outs() peer = 1
    ```
  }];
  let arguments = (ins Plan_CollectiveKind:$kind, Weft_SI64Attr:$order,
                       FlatSymbolRefAttr:$stream, SymbolRefArrayAttr:$ins,
                       SymbolRefArrayAttr:$outs, OptionalAttr<Weft_SI64Attr>:$peer);
  let assemblyFormat = [{
    $kind `order` `=` $order `stream` `=` $stream
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
