//===- CommonAttrs.td - attribute constraints shared by weft dialects -----===//
#ifndef WEFT_DIALECT_COMMON_COMMONATTRS_TD
#define WEFT_DIALECT_COMMON_COMMONATTRS_TD

include "mlir/IR/CommonAttrConstraints.td"

/// A 64-bit integer attribute read back as a signed `int64_t` (upstream's
/// I64Attr returns `uint64_t`, which turns -1 into 18446744073709551615 in
/// every range check and diagnostic).
def Weft_SI64Attr : TypedSignlessIntegerAttrBase<
    I64, "int64_t", "64-bit signless integer attribute"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

#endif // WEFT_DIALECT_COMMON_COMMONATTRS_TD
