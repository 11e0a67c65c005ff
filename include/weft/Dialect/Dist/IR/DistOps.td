//===- DistOps.td - device meshes, sharding, transfers ------*- tablegen -*-===//
#ifndef WEFT_DIALECT_DIST_IR_DISTOPS_TD
#define WEFT_DIALECT_DIST_IR_DISTOPS_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/OpBase.td"
include "weft/Dialect/Common/CommonAttrs.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Dist_Dialect : Dialect {
  let name = "dist";
  let cppNamespace = "::mlir::dist";
  let summary = "Device meshes, SBP sharding and the transfers between them";
  let description = [{
    A `dist.mesh` names an N-D grid of devices and the cost of talking along
    each of its axes. A `#dist.sharding` gives, for each mesh axis, how a
    tensor is laid out over that axis: `S(d)` (split along tensor dim `d`),
    `B` (broadcast: every device holds all of it) or `P(sum)` / `P(max)`
    (every device holds a partial value; the logical value is their
    reduction). Reshards change a sharding; they lower to the explicit
    collectives and transfers of this dialect.

    ```mlir
    dist.mesh @m shape = [2, 4] axes = ["dp", "tp"]
        latency_us = [10.0, 2.0] bandwidth_gbps = [25.0, 450.0]
    func.func @f(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
      %a = dist.annotate %x sharding = <@m, [S(0), B]> : tensor<8x16xf32>
      %b = dist.reshard %a from <@m, [S(0), B]>
                          to <@m, [B, S(1)]> : tensor<8x16xf32>
      return %b : tensor<8x16xf32>
    }
    ```
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
    void registerTypes();
  }];
}

class Dist_Op<string mnemonic, list<Trait> traits = []>
    : Op<Dist_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enums, attributes, types
//===----------------------------------------------------------------------===//

def Dist_ReduceKind : I32EnumAttr<"ReduceKind", "reduction of a collective", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"max", 1>,
    I32EnumAttrCase<"min", 2>, I32EnumAttrCase<"avg", 3>]> {
  let cppNamespace = "::mlir::dist";
}

def Dist_ShardingAttr : AttrDef<Dist_Dialect, "Sharding"> {
  let mnemonic = "sharding";
  let summary = "Per-mesh-axis SBP placement of a tensor";
  let description = [{
    `#dist.sharding<@mesh, [p0, p1, ...]>` with one placement per mesh axis:
    `S(d)` splits tensor dim `d` evenly over that axis, `B` broadcasts,
    `P(sum)` / `P(max)` marks a pending reduction. Several axes may split the
    same dim (it is then divided by the product of their sizes).

    ```mlir
    #dist.sharding<@m, [S(0), P(sum)]>
    ```
  }];
  let parameters = (ins "FlatSymbolRefAttr":$mesh,
      ArrayRefParameter<"::weft::sbp::Placement", "placements">:$placements);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isSplit(unsigned axis) const { return getPlacements()[axis].isSplit(); }
    bool isPartial(unsigned axis) const {
      return getPlacements()[axis].isPartial();
    }
    /// The placements as the analyses' N-D SBP.
    ::weft::sbp::NdSbp getNdSbp() const {
      return ::weft::sbp::NdSbp(getPlacements().begin(),
                                getPlacements().end());
    }
    /// Checks the sharding against a mesh and a (global) tensor type:
    /// one placement per axis, split dims exist and divide evenly.
    ::llvm::LogicalResult verifyFor(
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError,
        ::mlir::dist::MeshOp mesh, ::mlir::RankedTensorType type) const;
    /// The per-device shape of `type` under this sharding.
    ::llvm::SmallVector<int64_t> localShape(::mlir::dist::MeshOp mesh,
        ::llvm::ArrayRef<int64_t> globalShape) const;
  }];
}

def Dist_HostTensorType : TypeDef<Dist_Dialect, "HostTensor"> {
  let mnemonic = "host";
  let summary = "A tensor swapped out to pinned host memory";
  let description = [{
    The value of a tensor while it lives in host memory; only `dist.swap_in`
    reads it.

    ```mlir
    !dist.host<tensor<4x8xf32>>
    ```
  }];
  let parameters = (ins "::mlir::RankedTensorType":$tensor);
  let assemblyFormat = "`<` $tensor `>`";
}

def Dist_AnyStaticTensor : Type<And<[AnyRankedTensor.predicate,
                                     HasStaticShapePred]>,
                                "statically shaped tensor",
                                "::mlir::RankedTensorType">;

//===----------------------------------------------------------------------===//
// Mesh
//===----------------------------------------------------------------------===//

def Dist_MeshOp : Dist_Op<"mesh", [Symbol]> {
  let summary = "An N-D device mesh with a per-axis topology";
  let description = [{
    Declares the devices a program may use as a grid of `shape`, one name per
    axis. Devices are numbered row-major. Each axis carries a link latency
    (microseconds) and bandwidth (GB/s); every device has `memory_bytes` of
    memory, a peak of `flops` FLOP/s, `memory_bandwidth_gbps` to its memory
    and a floor of `launch_us` per kernel. Omitted topology values take the
    defaults of `weft::TopologyDefaults` (5 us, 100 GB/s, 16 GiB, 1e13
    FLOP/s, 1000 GB/s, 2 us).

    ```mlir
    dist.mesh @m shape = [2, 8] axes = ["node", "gpu"]
        latency_us = [10.0, 2.0] bandwidth_gbps = [25.0, 450.0]
        memory_bytes = 85899345920 flops = 9.89e14
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, DenseI64ArrayAttr:$shape,
                       StrArrayAttr:$axes,
                       OptionalAttr<DenseF64ArrayAttr>:$latency_us,
                       OptionalAttr<DenseF64ArrayAttr>:$bandwidth_gbps,
                       OptionalAttr<Weft_SI64Attr>:$memory_bytes,
                       OptionalAttr<F64Attr>:$flops,
                       OptionalAttr<F64Attr>:$memory_bandwidth_gbps,
                       OptionalAttr<F64Attr>:$launch_us);
  let assemblyFormat = [{
    $sym_name `shape` `=` $shape `axes` `=` $axes
    (`latency_us` `=` $latency_us^)? (`bandwidth_gbps` `=` $bandwidth_gbps^)?
    (`memory_bytes` `=` $memory_bytes^)? (`flops` `=` $flops^)?
    (`memory_bandwidth_gbps` `=` $memory_bandwidth_gbps^)?
    (`launch_us` `=` $launch_us^)? attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getRank() { return getShape().size(); }
    /// Number of devices in the group spanned by `axes` (all axes when
    /// omitted), or failure when the product of their sizes overflows int64.
    ::mlir::FailureOr<int64_t> getCheckedGroupSize(
        std::optional<::llvm::ArrayRef<int64_t>> axes = std::nullopt);
    /// Number of devices in the mesh. The verifier guarantees it fits int64;
    /// on an unverified mesh an overflow saturates to INT64_MAX (never 0).
    int64_t getNumDevices();
    /// Number of devices in the group spanned by `axes`; saturates like
    /// getNumDevices.
    int64_t getGroupSize(::llvm::ArrayRef<int64_t> axes);
    /// Index of the axis named `name`, if any.
    std::optional<unsigned> getAxisIndex(::llvm::StringRef name);
    double getAxisLatencyUs(unsigned axis);
    double getAxisBandwidthGBps(unsigned axis);
    int64_t getDeviceMemoryBytes();
    double getDeviceFlops();
    /// Everything the cost model needs, defaults filled in.
    ::weft::MeshTopology getTopology();
  }];
}

//===----------------------------------------------------------------------===//
// Logical sharding ops (global shapes)
//===----------------------------------------------------------------------===//

def Dist_AnnotateOp : Dist_Op<"annotate", [Pure,
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Pins the sharding of a tensor";
  let description = [{
    The result is the input, laid out as `sharding`. Auto-sharding keeps
    pinned shardings and plans the rest around them.

    ```mlir
    %a = dist.annotate %x sharding = <@m, [S(0), B]> : tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input,
                       Dist_ShardingAttr:$sharding);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat =
      "$input `sharding` `=` $sharding attr-dict `:` type($input)";
}

def Dist_ReshardOp : Dist_Op<"reshard", [Pure,
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Logical change of sharding (boxing)";
  let description = [{
    Same value, new layout. Later passes plan it as a chain of collectives on
    the per-device tensors. Both shardings use the same mesh. In op syntax a
    sharding is written without its `#dist.sharding` prefix.

    ```mlir
    %b = dist.reshard %a from <@m, [P(sum)]>
                         to <@m, [B]> : tensor<8x16xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input,
                       Dist_ShardingAttr:$source, Dist_ShardingAttr:$target);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `from` $source `to` $target attr-dict
    `:` type($input)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Collectives and transfers (per-device shapes)
//===----------------------------------------------------------------------===//

class Dist_CollectiveOp<string mnemonic, list<Trait> traits = []>
    : Dist_Op<mnemonic, !listconcat(traits, [
        DeclareOpInterfaceMethods<SymbolUserOpInterface>])> {
  code commonDecls = [{
    /// The mesh this collective runs on (null before symbol verification).
    ::mlir::dist::MeshOp getMeshOp();
  }];
  let extraClassDeclaration = commonDecls;
}

def Dist_AllReduceOp : Dist_CollectiveOp<"all_reduce",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Reduces a tensor over a mesh group; every member gets it";
  let description = [{
    The group is all devices that differ only in `mesh_axes`.

    ```mlir
    %r = dist.all_reduce %x on @m mesh_axes = [1] kind = sum : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, FlatSymbolRefAttr:$mesh,
                       DenseI64ArrayAttr:$mesh_axes, Dist_ReduceKind:$kind);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `mesh_axes` `=` $mesh_axes `kind` `=` $kind attr-dict
    `:` type($input)
  }];
}

def Dist_AllGatherOp : Dist_CollectiveOp<"all_gather"> {
  let summary = "Concatenates the group's pieces along `dim`";
  let description = [{
    The result's `dim` is the input's times the group size.

    ```mlir
    %g = dist.all_gather %x on @m mesh_axes = [1] dim = 0 : tensor<2x8xf32> -> tensor<8x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, FlatSymbolRefAttr:$mesh,
                       DenseI64ArrayAttr:$mesh_axes, Weft_SI64Attr:$dim);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `mesh_axes` `=` $mesh_axes `dim` `=` $dim attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Dist_ReduceScatterOp : Dist_CollectiveOp<"reduce_scatter"> {
  let summary = "Reduces over the group, each member keeps one slice of `dim`";
  let description = [{
    The input's `dim` is the result's times the group size.

    ```mlir
    %s = dist.reduce_scatter %x on @m mesh_axes = [1] dim = 0 kind = sum
        : tensor<8x8xf32> -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, FlatSymbolRefAttr:$mesh,
                       DenseI64ArrayAttr:$mesh_axes, Weft_SI64Attr:$dim,
                       Dist_ReduceKind:$kind);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `mesh_axes` `=` $mesh_axes `dim` `=` $dim `kind` `=`
    $kind attr-dict `:` type($input) `->` type($result)
  }];
}

def Dist_AllToAllOp : Dist_CollectiveOp<"all_to_all"> {
  let summary = "Splits `split_dim` over the group, gathers along `concat_dim`";
  let description = [{
    ```mlir
    %t = dist.all_to_all %x on @m mesh_axes = [1] split_dim = 0 concat_dim = 1
        : tensor<8x2xf32> -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, FlatSymbolRefAttr:$mesh,
                       DenseI64ArrayAttr:$mesh_axes, Weft_SI64Attr:$split_dim,
                       Weft_SI64Attr:$concat_dim);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `mesh_axes` `=` $mesh_axes `split_dim` `=` $split_dim
    `concat_dim` `=` $concat_dim attr-dict `:` type($input) `->` type($result)
  }];
}

def Dist_BroadcastOp : Dist_CollectiveOp<"broadcast",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "Every group member receives the `root` member's tensor";
  let description = [{
    `root` is the rank inside the group (row-major over `mesh_axes`).

    ```mlir
    %b = dist.broadcast %x on @m mesh_axes = [0] root = 0 : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, FlatSymbolRefAttr:$mesh,
                       DenseI64ArrayAttr:$mesh_axes, Weft_SI64Attr:$root);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `mesh_axes` `=` $mesh_axes `root` `=` $root attr-dict
    `:` type($input)
  }];
}

def Dist_LocalSliceOp : Dist_CollectiveOp<"local_slice"> {
  let summary = "Each device keeps its chunk of `dim` (B -> S, nothing sent)";
  let description = [{
    Splits `dim` over the group of `mesh_axes` (row-major over those axes):
    the device at group position `r` keeps chunk `r` of size
    `input dim / group size`. The per-device form of a replicated value
    becoming split.

    ```mlir
    %s = dist.local_slice %x on @m mesh_axes = [1] dim = 1
        : tensor<8x32xf32> -> tensor<8x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, FlatSymbolRefAttr:$mesh,
                       DenseI64ArrayAttr:$mesh_axes, Weft_SI64Attr:$dim);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `mesh_axes` `=` $mesh_axes `dim` `=` $dim attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Dist_MakePartialOp : Dist_CollectiveOp<"make_partial",
    [AllTypesMatch<["input", "result"]>]> {
  let summary = "B -> P(sum): the group's first device keeps the value, the "
                "others zero it";
  let description = [{
    The per-device form of a replicated value consumed as a partial sum
    (e.g. a bias added to a partial matmul result): summing over the group
    gives the value back. Nothing is sent.

    ```mlir
    %p = dist.make_partial %b on @m mesh_axes = [0] : tensor<32xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, FlatSymbolRefAttr:$mesh,
                       DenseI64ArrayAttr:$mesh_axes);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    $input `on` $mesh `mesh_axes` `=` $mesh_axes attr-dict `:` type($input)
  }];
}

def Dist_SendOp : Dist_CollectiveOp<"send"> {
  let summary = "Sends a tensor to one device (pipeline stage boundary)";
  let description = [{
    `peer` is the receiving device's row-major index in the mesh; a matching
    `dist.recv` with the same `tag` runs on that device.

    ```mlir
    dist.send %x to 1 on @m tag = 0 : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input, Weft_SI64Attr:$peer,
                       FlatSymbolRefAttr:$mesh,
                       DefaultValuedAttr<Weft_SI64Attr, "0">:$tag);
  let assemblyFormat = [{
    $input `to` $peer `on` $mesh (`tag` `=` $tag^)? attr-dict `:` type($input)
  }];
}

def Dist_RecvOp : Dist_CollectiveOp<"recv"> {
  let summary = "Receives a tensor from one device";
  let description = [{
    ```mlir
    %x = dist.recv from 0 on @m tag = 0 : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Weft_SI64Attr:$peer, FlatSymbolRefAttr:$mesh,
                       DefaultValuedAttr<Weft_SI64Attr, "0">:$tag);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = [{
    `from` $peer `on` $mesh (`tag` `=` $tag^)? attr-dict `:` type($result)
  }];
}

def Dist_SwapOutOp : Dist_Op<"swap_out", [
    TypesMatchWith<"result is the host form of the input", "input", "result",
                   "::mlir::dist::hostFormOf($_self)">]> {
  let summary = "Copies a tensor to pinned host memory";
  let description = [{
    Frees device memory until the matching `dist.swap_in`.

    ```mlir
    %h = dist.swap_out %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Dist_AnyStaticTensor:$input);
  let results = (outs Dist_HostTensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Dist_SwapInOp : Dist_Op<"swap_in", [
    TypesMatchWith<"result is the tensor the host value holds", "input",
                   "result",
                   "::mlir::dist::deviceFormOf($_self)">]> {
  let summary = "Copies a swapped-out tensor back to device memory";
  let description = [{
    ```mlir
    %x = dist.swap_in %h : !dist.host<tensor<4x8xf32>>
    ```
  }];
  let arguments = (ins Dist_HostTensorType:$input);
  let results = (outs Dist_AnyStaticTensor:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input))";
}

#endif // WEFT_DIALECT_DIST_IR_DISTOPS_TD
