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

#endif // WEFT_DIALECT_WEFT_IR_WEFTINTERFACES_TD
