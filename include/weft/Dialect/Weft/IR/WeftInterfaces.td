//===- WeftInterfaces.td - interfaces of weft ops -----------*- tablegen -*-===//
#ifndef WEFT_DIALECT_WEFT_IR_WEFTINTERFACES_TD
#define WEFT_DIALECT_WEFT_IR_WEFTINTERFACES_TD

include "mlir/IR/OpBase.td"

def Weft_ShardingRuleOpInterface : OpInterface<"ShardingRuleOpInterface"> {
  let cppNamespace = "::mlir::weft";
  let description = [{
    What the auto-parallel passes need to know about an op: its sharding
    rule (the iteration space the legal SBP signatures are derived from, see
    `weft/Analysis/ShardingRule.h`) and its cost (FLOPs at the global
    shapes). The defaults describe an elementwise op with numpy
    broadcasting that is linear in none of its operands and does one
    operation per result element; ops override what differs.

    Means (`reduce_mean`, `cross_entropy`) split over a reduced dim give
    `P(sum)` partials whose local form divides by the *global* element
    count, so that the partial sum is the mean.
  }];
  let methods = [
    InterfaceMethod<[{
        The op's sharding rule: loops, the loop each operand/result dim
        walks, linear operand sets and extra 1-D signatures.
      }], "::weft::ShardingRule", "getShardingRule", (ins), [{}], [{
        return ::mlir::weft::elementwiseShardingRule(
            $_op.getOperation(), $_op.getLinearOperandSets());
      }]>,
    InterfaceMethod<[{
        Operand sets the op is jointly linear in: with every operand of one
        set `P(sum)` and the others `B`, the result is `P(sum)`.
      }], "::std::vector<::std::vector<int>>", "getLinearOperandSets", (ins),
      [{}], [{ return {}; }]>,
    InterfaceMethod<[{
        Arithmetic operations of the op at its global shapes.
      }], "double", "getFlops", (ins), [{}], [{
        return ::mlir::weft::resultElementCount($_op.getOperation());
      }]>,
    InterfaceMethod<[{
        True when the op only reinterprets its operand (no kernel, no
        memory traffic), like `weft.reshape`.
      }], "bool", "isMetadataOnly", (ins), [{}], [{ return false; }]>,
  ];
}

def Weft_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::mlir::weft";
  let description = [{
    The reverse-mode rule of an op (its vector-Jacobian product), used by
    `weft-autodiff`. Given the gradient of the loss with respect to each
    result, the op builds, at the builder's insertion point, weft ops that
    compute the gradient with respect to each operand. Rules are written in
    weft ops only (they may read the op's operands and results), so the
    backward pass is weft IR like the forward one: it is sharded, fused and
    planned by the same passes.

    Gradients have exactly the operand's type (broadcast operands get the
    summed gradient). An operand without a gradient (integer indices or
    labels) gets a null value; `weft-autodiff` refuses to differentiate
    through it.
  }];
  let methods = [
    InterfaceMethod<[{
        Whether operand `index` has a gradient (by default: float operands).
      }], "bool", "isDifferentiableOperand", (ins "unsigned":$index), [{}],
      [{
        return ::mlir::isa<::mlir::FloatType>(::mlir::getElementTypeOrSelf(
            $_op->getOperand(index).getType()));
      }]>,
    InterfaceMethod<[{
        Builds the gradients of the operands from `resultGrads` (one per
        result, each of the result's type; never null). Appends one value
        per operand to `operandGrads`: the gradient, or null where
        `isDifferentiableOperand` is false. Fails (after a diagnostic on the
        op) when the rule cannot be applied to these attributes.
      }], "::mlir::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

#endif // WEFT_DIALECT_WEFT_IR_WEFTINTERFACES_TD
