//===- WeftOps.td - weft graph ops --------------------------*- tablegen -*-===//
#ifndef WEFT_DIALECT_WEFT_IR_WEFTOPS_TD
#define WEFT_DIALECT_WEFT_IR_WEFTOPS_TD

include "weft/Dialect/Weft/IR/WeftDialect.td"
include "weft/Dialect/Weft/IR/WeftInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"

/// Every operand and result type is within the tensor limits of
/// `weft/Dialect/Common/TensorLimits.h` (rank, byte size without overflow).
def Weft_TensorLimits : NativeOpTrait<"TensorLimits"> {
  let cppNamespace = "::mlir::weft::OpTrait";
}

/// Every weft graph op implements the sharding-rule interface; `sharding`
/// names the interface methods it overrides (the rest keep the
/// elementwise defaults).
class Weft_Op<string mnemonic, list<Trait> traits = [],
              list<string> sharding = []>
    : Op<Weft_Dialect, mnemonic,
         !listconcat([Weft_TensorLimits], traits, [Pure,
             DeclareOpInterfaceMethods<Weft_ShardingRuleOpInterface,
                                       sharding>])>;

/// Ops with a reverse-mode rule (GradientOpInterface) list this trait.
defvar Weft_Grad = DeclareOpInterfaceMethods<Weft_GradientOpInterface>;

defvar Weft_CustomSharding = ["getShardingRule", "getFlops",
                              "getLinearOperandSets"];

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

def Weft_ConstantOp : Weft_Op<"constant", [Weft_Grad, ConstantLike,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "A tensor literal";
  let description = [{
    Produces a tensor holding the given elements; its type is the type of
    the elements attribute.

    ```mlir
    %w = weft.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
}

def Weft_CastOp : Weft_Op<"cast", [Weft_Grad, SameOperandsAndResultShape]> {
  let summary = "Element type conversion";
  let description = [{
    Converts every element to the result element type (float rounding is
    to nearest even, float to integer truncates toward zero).

    ```mlir
    %h = weft.cast %x : tensor<4x8xf32> -> tensor<4x8xbf16>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Weft_UnaryOp<string mnemonic, Type tensorType, string what,
                   list<Trait> traits = [], list<string> sharding = []>
    : Weft_Op<mnemonic, !listconcat(traits, [SameOperandsAndResultType,
                                             Elementwise, Weft_Grad]),
              sharding> {
  let summary = "Elementwise " # what;
  let description = [{
    Applies the function to every element; the result has the operand's type.

    ```mlir
    %y = weft.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Weft_NegOp : Weft_UnaryOp<"neg", Weft_Tensor, "negation `-x`", [],
                             ["getLinearOperandSets"]> {
  let hasFolder = 1;
}
def Weft_AbsOp : Weft_UnaryOp<"abs", Weft_Tensor, "absolute value `|x|`">;
def Weft_ExpOp : Weft_UnaryOp<"exp", Weft_FloatTensor, "exponential `e^x`">;
def Weft_LogOp : Weft_UnaryOp<"log", Weft_FloatTensor, "natural logarithm">;
def Weft_SqrtOp : Weft_UnaryOp<"sqrt", Weft_FloatTensor, "square root">;
def Weft_RsqrtOp : Weft_UnaryOp<"rsqrt", Weft_FloatTensor,
                                "reciprocal square root `1/sqrt(x)`">;
def Weft_TanhOp : Weft_UnaryOp<"tanh", Weft_FloatTensor, "hyperbolic tangent">;
def Weft_SigmoidOp : Weft_UnaryOp<"sigmoid", Weft_FloatTensor,
                                  "logistic sigmoid `1/(1+e^-x)`">;
def Weft_ReluOp : Weft_UnaryOp<"relu", Weft_Tensor, "rectifier `max(x, 0)`"> {
  let hasFolder = 1;
}
def Weft_SiluOp : Weft_UnaryOp<"silu", Weft_FloatTensor,
                               "SiLU / swish `x * sigmoid(x)`">;
def Weft_ErfOp : Weft_UnaryOp<"erf", Weft_FloatTensor, "error function">;
def Weft_GeluOp : Weft_UnaryOp<"gelu", Weft_FloatTensor,
    "GELU `x * Phi(x)` (exact erf form, or the tanh form with `approximate`)"> {
  let arguments = (ins Weft_FloatTensor:$input, UnitAttr:$approximate);
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

class Weft_BinaryOp<string mnemonic, Type tensorType, string what,
                    list<Trait> traits = [], list<string> sharding = []>
    : Weft_Op<mnemonic, !listconcat(traits, [
        InferTypeOpAdaptor, Weft_Grad]), sharding> {
  let summary = "Elementwise " # what # " with numpy broadcasting";
  let description = [{
    Both operands have the same element type; their shapes broadcast like
    numpy (align trailing dims; each pair equal or one of them 1). When both
    operands have the same type a single type is printed.

    ```mlir
    %a = weft.}] # mnemonic # [{ %x, %y : tensor<4x8xf32>
    %b = weft.}] # mnemonic # [{ %x, %bias : tensor<4x8xf32>, tensor<8xf32>
    ```
  }];
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` custom<BinaryTypes>(type($lhs), type($rhs))";
}

def Weft_AddOp : Weft_BinaryOp<"add", Weft_Tensor, "addition", [Commutative],
                               ["getLinearOperandSets"]> {
  let hasFolder = 1;
}
def Weft_SubOp : Weft_BinaryOp<"sub", Weft_Tensor, "subtraction", [],
                               ["getLinearOperandSets"]> {
  let hasFolder = 1;
}
def Weft_MulOp : Weft_BinaryOp<"mul", Weft_Tensor, "multiplication",
                               [Commutative], ["getLinearOperandSets"]> {
  let hasFolder = 1;
}
def Weft_DivOp : Weft_BinaryOp<"div", Weft_Tensor,
    "division (integers round toward zero)", [], ["getLinearOperandSets"]> {
  let description = [{
    Both operands have the same element type; their shapes broadcast like
    numpy. Floats follow IEEE 754 (`x / 0` is `inf`, `-inf` or NaN).
    Integer division truncates toward zero (C, `torch.div(...,
    rounding_mode="trunc")`; numpy's `//` floors instead, e.g. `-7 // 2 ==
    -4` where `weft.div` gives `-3`) and is total, never trapping:

    * `x / 0 == 0` for every `x` (numpy's integer `x // 0` is 0 too);
    * `INT_MIN / -1` wraps to `INT_MIN` (e.g. `-128 / -1 == -128` for i8),
      as numpy's `np.iinfo(t).min // -1` does.

    ```mlir
    %q = weft.div %x, %y : tensor<4x8xi32>
    %r = weft.div %x, %scale : tensor<4x8xf32>, tensor<8xf32>
    ```
  }];
  let hasFolder = 1;
}
def Weft_MaxOp : Weft_BinaryOp<"max", Weft_Tensor, "maximum", [Commutative]>;
def Weft_MinOp : Weft_BinaryOp<"min", Weft_Tensor, "minimum", [Commutative]>;
def Weft_PowOp : Weft_BinaryOp<"pow", Weft_FloatTensor, "power `lhs^rhs`">;

def Weft_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "an elementwise comparison", [
    I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
    I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
    I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::weft";
}

def Weft_CompareOp : Weft_Op<"compare", [Weft_Grad, InferTypeOpAdaptor]> {
  let summary = "Elementwise comparison as a 0/1 mask, numpy broadcasting";
  let description = [{
    `1` where `lhs <predicate> rhs` holds and `0` elsewhere, in the
    operands' element type (a mask that multiplies, as gradient rules use
    it). Floats compare ordered: any comparison with NaN is false except
    `ne`. Shapes broadcast like `weft.add`.

    ```mlir
    %m = weft.compare gt, %x, %zero : tensor<4x8xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins Weft_ComparePredicate:$predicate, Weft_Tensor:$lhs,
                       Weft_Tensor:$rhs);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:`
    custom<BinaryTypes>(type($lhs), type($rhs))
  }];
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Weft_MatmulOp : Weft_Op<"matmul", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Matrix product of two rank-2 tensors";
  let description = [{
    `[M, K] x [K, N] -> [M, N]`. `transpose_lhs` / `transpose_rhs` read the
    operand transposed (`[K, M]` / `[N, K]`) without materializing it.
    Operands and result share the element type; products are summed in f32
    for f16/bf16 and in i32 for i8 (wrapping), then rounded to the element
    type. `K = 0` gives zeros.

    ```mlir
    %c = weft.matmul %a, %b : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
    %d = weft.matmul %a, %w {transpose_rhs} : tensor<8x16xf32>, tensor<4x16xf32> -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$lhs, Weft_Tensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

def Weft_BatchMatmulOp : Weft_Op<"batch_matmul", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Batched matrix product";
  let description = [{
    `[B..., M, K] x [B..., K, N] -> [B..., M, N]` with rank >= 3 and equal
    batch dimensions. `transpose_lhs` / `transpose_rhs` swap the last two
    dimensions of the operand.

    ```mlir
    %s = weft.batch_matmul %q, %k {transpose_rhs}
        : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32> -> tensor<2x4x16x16xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$lhs, Weft_Tensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW)
//===----------------------------------------------------------------------===//

def Weft_Conv2DOp : Weft_Op<"conv2d", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "2-D convolution, NCHW input, FCHW filter, optional bias";
  let description = [{
    `input [N, C, H, W]`, `filter [F, C / groups, KH, KW]`, optional
    `bias [F]`; result `[N, F, OH, OW]` with
    `OH = (H + pad_top + pad_bottom - dil_h * (KH - 1) - 1) / stride_h + 1`
    (same for W). `padding` is `[top, left, bottom, right]`.

    ```mlir
    %y = weft.conv2d %x, %w, %b {strides = array<i64: 2, 2>,
                                 padding = array<i64: 1, 1, 1, 1>}
        : tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>
        -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$input, Weft_FloatTensor:$filter,
      Optional<Weft_FloatTensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<Weft_SI64Attr, "1">:$groups);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` type($input) `,`
    type($filter) (`,` type($bias)^)? `->` type($result)
  }];
}

class Weft_Pool2DOp<string mnemonic, string what>
    : Weft_Op<mnemonic, [Weft_Grad, InferTypeOpAdaptor],
              Weft_CustomSharding> {
  let summary = "2-D " # what # " pooling over NCHW";
  let description = [{
    Pools windows of `kernel = [KH, KW]` moved by `strides` over the spatial
    dims of an `[N, C, H, W]` tensor; `padding = [top, left, bottom, right]`.
    Padded positions never win a max and are not counted by an average
    (`count_include_pad = false`). `H` and `W` must be non-empty. Averages
    sum in f32 for f16/bf16 inputs.

    ```mlir
    %p = weft.}] # mnemonic # [{ %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($result)";
}

def Weft_MaxPool2DOp : Weft_Pool2DOp<"max_pool2d", "max">;
def Weft_AvgPool2DOp : Weft_Pool2DOp<"avg_pool2d", "average">;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Weft_ReduceOp<string mnemonic, string what>
    : Weft_Op<mnemonic, [InferTypeOpAdaptor, Weft_Grad], Weft_CustomSharding> {
  let summary = what # " over the given axes";
  let description = [{
    Reduces over `axes` (distinct, each in `[0, rank)`). The reduced dims are
    dropped, or kept with size 1 under `keep_dims`. Sums and means
    accumulate in f32 for f16/bf16 (i32 for i8) and round once at the end;
    a sum over no elements is 0, a mean NaN (0 for integers); a maximum
    needs every reduced dim non-empty.

    ```mlir
    %s = weft.}] # mnemonic # [{ %x axes = [1] : tensor<4x8xf32> -> tensor<4xf32>
    %k = weft.}] # mnemonic # [{ %x axes = [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keep_dims);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $input `axes` `=` $axes (`keep_dims` $keep_dims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
}

def Weft_ReduceSumOp : Weft_ReduceOp<"reduce_sum", "Sum">;
def Weft_ReduceMeanOp : Weft_ReduceOp<"reduce_mean", "Arithmetic mean">;
def Weft_ReduceMaxOp : Weft_ReduceOp<"reduce_max", "Maximum">;

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

def Weft_SoftmaxOp : Weft_Op<"softmax", [Weft_Grad, SameOperandsAndResultType],
                             Weft_CustomSharding> {
  let summary = "Softmax along one axis";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (in `[0, rank)`).

    ```mlir
    %p = weft.softmax %s axis = 1 : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$input, Weft_SI64Attr:$axis);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Weft_LayerNormOp : Weft_Op<"layer_norm", [Weft_Grad,
    AllTypesMatch<["input", "result"]>, AllTypesMatch<["scale", "bias"]>],
    Weft_CustomSharding> {
  let summary = "Layer normalization over the trailing dimensions";
  let description = [{
    Normalizes over the trailing `rank(scale)` dims of `input` (whose sizes
    must equal `scale`'s shape): `(x - mean) / sqrt(var + epsilon) * scale +
    bias`, with the biased variance.

    ```mlir
    %y = weft.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f32}
        : tensor<2x16x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$input, Weft_FloatTensor:$scale,
                       Weft_FloatTensor:$bias,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Weft_RMSNormOp : Weft_Op<"rms_norm", [Weft_Grad,
    AllTypesMatch<["input", "result"]>], Weft_CustomSharding> {
  let summary = "Root-mean-square normalization over the trailing dimensions";
  let description = [{
    `x / sqrt(mean(x^2) + epsilon) * scale` over the trailing `rank(scale)`
    dims of `input`.

    ```mlir
    %y = weft.rms_norm %x, %g : tensor<2x16x64xf32>, tensor<64xf32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$input, Weft_FloatTensor:$scale,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat =
      "$input `,` $scale attr-dict `:` type($input) `,` type($scale)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Weft_EmbeddingOp : Weft_Op<"embedding", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Row gather from an embedding table";
  let description = [{
    `table [V, D]` with `V >= 1`, integer `indices [I...]` -> `[I..., D]`;
    row `i` of the result is `table[indices[i]]`. Out-of-range indices are
    clamped into `[0, V)` at run time.

    ```mlir
    %e = weft.embedding %table, %ids : tensor<1000x64xf32>, tensor<2x16xi64> -> tensor<2x16x64xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$table, Weft_IndexTensor:$indices);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $table `,` $indices attr-dict `:` type($table) `,` type($indices) `->`
    type($result)
  }];
}

def Weft_TransposeOp : Weft_Op<"transpose", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Permutes dimensions";
  let description = [{
    Result dim `i` is input dim `permutation[i]`.

    ```mlir
    %t = weft.transpose %x perm = [1, 0] : tensor<4x8xf32> -> tensor<8x4xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $input `perm` `=` $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Weft_ReshapeOp : Weft_Op<"reshape", [Weft_Grad],
    !listconcat(Weft_CustomSharding, ["isMetadataOnly"])> {
  let summary = "Reinterprets the elements (row-major) under a new shape";
  let description = [{
    The result type gives the new shape; element count and type are kept.

    ```mlir
    %r = weft.reshape %x : tensor<4x8xf32> -> tensor<2x16xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Weft_BroadcastToOp : Weft_Op<"broadcast_to", [Weft_Grad], Weft_CustomSharding> {
  let summary = "Broadcasts to a larger shape (numpy rules)";
  let description = [{
    The result type gives the target shape; input dims align to its trailing
    dims and must equal them or be 1.

    ```mlir
    %b = weft.broadcast_to %x : tensor<8xf32> -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Weft_ConcatOp : Weft_Op<"concat", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Concatenates tensors along one axis";
  let description = [{
    All inputs have the same rank and element type and agree on every dim
    but `axis`.

    ```mlir
    %c = weft.concat %a, %b axis = 1 : tensor<4x8xf32>, tensor<4x2xf32> -> tensor<4x10xf32>
    ```
  }];
  let arguments = (ins Variadic<Weft_Tensor>:$inputs, Weft_SI64Attr:$axis);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` `=` $axis attr-dict `:` type($inputs) `->` type($result)
  }];
  let hasFolder = 1;
}

def Weft_SliceOp : Weft_Op<"slice", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Static strided slice `x[start:limit:stride, ...]`";
  let description = [{
    One entry per dim: `0 <= start < limit <= size`, `stride >= 1` (default
    1). Result dim is `ceil((limit - start) / stride)`.

    ```mlir
    %s = weft.slice %x starts = [0, 2] limits = [4, 6] : tensor<4x8xf32> -> tensor<4x4xf32>
    %e = weft.slice %x starts = [0, 0] limits = [4, 8] strides = [1, 2] : tensor<4x8xf32> -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $input `starts` `=` $starts `limits` `=` $limits
    (`strides` `=` $strides^)? attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The stride of dim `i` (1 when no strides are given).
    int64_t getStride(unsigned i) {
      auto s = getStrides();
      return s ? (*s)[i] : 1;
    }
  }];
}

def Weft_PadOp : Weft_Op<"pad", [Weft_Grad, InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Pads with a constant: edges and between elements";
  let description = [{
    One entry per dim of `low`, `high` and (optional, default 0) `interior`,
    all `>= 0`: `low` elements before, `high` after and `interior` between
    each pair of neighbours, all set to `value` (converted to the element
    type). Result dim: `low + n + (n - 1) * interior + high` (for `n >= 1`;
    `low + high` for `n = 0`). Interior padding is how strided slices and
    strided convolutions are transposed.

    ```mlir
    %p = weft.pad %x low = [0, 1] high = [0, 1] : tensor<4x8xf32> -> tensor<4x10xf32>
    %d = weft.pad %g low = [0] high = [0] interior = [1] value = -1.0
        : tensor<4xf32> -> tensor<7xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high,
                       OptionalAttr<DenseI64ArrayAttr>:$interior,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = [{
    $input `low` `=` $low `high` `=` $high (`interior` `=` $interior^)?
    (`value` `=` $value^)? attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The interior padding of dim `i` (0 when none is given).
    int64_t getInteriorOf(unsigned i) {
      auto s = getInterior();
      return s ? (*s)[i] : 0;
    }
  }];
}

def Weft_ReverseOp : Weft_Op<"reverse", [Weft_Grad, SameOperandsAndResultType],
                             Weft_CustomSharding> {
  let summary = "Reverses the order of elements along the given axes";
  let description = [{
    Result element `i` along each axis of `axes` (distinct, in
    `[0, rank)`) is input element `n - 1 - i`; other dims are unchanged.

    ```mlir
    %f = weft.reverse %w axes = [2, 3] : tensor<8x3x3x3xf32>
    ```
  }];
  let arguments = (ins Weft_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Weft_Tensor:$result);
  let assemblyFormat = "$input `axes` `=` $axes attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Weft_OneHotOp : Weft_Op<"one_hot", [Weft_Grad], Weft_CustomSharding> {
  let summary = "One-hot rows of integer labels";
  let description = [{
    `labels [I...]` (clamped into `[0, C)` like `weft.cross_entropy`) ->
    `[I..., C]` of float type with `1` at the label's column and `0`
    elsewhere; the result type gives `C >= 1`.

    ```mlir
    %h = weft.one_hot %labels : tensor<8xi64> -> tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Weft_IndexTensor:$labels);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat = "$labels attr-dict `:` type($labels) `->` type($result)";
  let hasVerifier = 1;
}

def Weft_EmbeddingGradOp : Weft_Op<"embedding_grad", [Weft_Grad], Weft_CustomSharding> {
  let summary = "Scatter-add of row gradients into a table (embedding's VJP)";
  let description = [{
    `grad [I..., D]`, integer `indices [I...]` -> `table [V, D]` (the result
    type gives `V >= 1`): row `v` is the sum of the rows `grad[i]` whose
    index, clamped into `[0, V)` as `weft.embedding` clamps it, is `v`;
    rows no index names are zero. Sums accumulate in f32 for f16/bf16.

    ```mlir
    %dt = weft.embedding_grad %g, %ids : tensor<2x16x64xf32>, tensor<2x16xi64> -> tensor<1000x64xf32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$grad, Weft_IndexTensor:$indices);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `,` $indices attr-dict `:` type($grad) `,` type($indices) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses and attention
//===----------------------------------------------------------------------===//

def Weft_CrossEntropyOp : Weft_Op<"cross_entropy", [Weft_Grad,
    InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "Mean softmax cross-entropy against integer labels";
  let description = [{
    `logits [N, C]` with `C >= 1`, `labels [N]` (class indices, clamped into
    `[0, C)`) -> a rank-0 tensor:
    `mean_n(logsumexp(logits[n]) - logits[n, labels[n]])`, computed in f32
    for f16/bf16 logits (NaN when `N = 0`).

    ```mlir
    %l = weft.cross_entropy %logits, %labels : tensor<8x10xf32>, tensor<8xi64> -> tensor<f32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$logits, Weft_IndexTensor:$labels);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels) `->`
    type($result)
  }];
}

def Weft_ScaledDotProductAttentionOp : Weft_Op<"scaled_dot_product_attention", [
    Weft_Grad, InferTypeOpAdaptor], Weft_CustomSharding> {
  let summary = "softmax(q k^T * scale + mask) v";
  let description = [{
    `q [B..., S, D]`, `k [B..., T, D]`, `v [B..., T, E]` (rank >= 2, equal
    batch dims) -> `[B..., S, E]`. `scale` defaults to `1/sqrt(D)`;
    `is_causal` masks key positions `t > s`; the optional additive `mask`
    broadcasts to `[B..., S, T]`.

    ```mlir
    %o = weft.scaled_dot_product_attention %q, %k, %v {is_causal}
        : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>
        -> tensor<2x4x16x8xf32>
    ```
  }];
  let arguments = (ins Weft_FloatTensor:$query, Weft_FloatTensor:$key,
                       Weft_FloatTensor:$value,
                       Optional<Weft_FloatTensor>:$mask,
                       OptionalAttr<F32Attr>:$scale, UnitAttr:$is_causal);
  let results = (outs Weft_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? attr-dict `:` type($query) `,`
    type($key) `,` type($value) (`,` type($mask)^)? `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Kernel groups (the unit of code generation)
//===----------------------------------------------------------------------===//

def Weft_GroupOp : Op<Weft_Dialect, "group", [
    SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "The ops of one future kernel";
  let description = [{
    A region holding the ops that will become one kernel (as IREE's
    `flow.dispatch.region`). It reads values defined above it and yields
    only the values used after it; intermediates stay inside. Grouping
    passes form groups by a policy (one op each, or fusion rules); outlining
    turns each group into a kernel function.

    ```mlir
    %r = weft.group -> tensor<8xf32> {
      %s = weft.add %a, %b : tensor<8xf32>, tensor<8xf32> -> tensor<8xf32>
      %t = weft.relu %s : tensor<8xf32>
      weft.yield %t : tensor<8xf32>
    }
    ```
  }];
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "(`->` type($results)^)? $body attr-dict";
  let hasVerifier = 1;
}

def Weft_YieldOp : Op<Weft_Dialect, "yield", [Pure, Terminator,
    HasParent<"GroupOp">]> {
  let summary = "The values a kernel group makes visible outside";
  let description = [{
    ```mlir
    weft.yield %t : tensor<8xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

def Weft_DispatchOp : Op<Weft_Dialect, "dispatch", [
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Runs an outlined kernel";
  let description = [{
    Calls kernel `kernel` (a function of the `@weft_kernels` module, in
    destination-passing style: one memref per input, then one per result)
    on tensors, producing its results. `label` says what it computes, for
    reports and traces.

    ```mlir
    %r = weft.dispatch @weft_kernels::@k0(%a, %b) label = "weft.add"
        : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins SymbolRefAttr:$kernel, StrAttr:$label,
                       Variadic<AnyRankedTensor>:$inputs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $kernel `(` $inputs `)` `label` `=` $label attr-dict `:`
    functional-type($inputs, $results)
  }];
}

#endif // WEFT_DIALECT_WEFT_IR_WEFTOPS_TD
