//===- WeftDialect.td - weft graph dialect ------------------*- tablegen -*-===//
#ifndef WEFT_DIALECT_WEFT_IR_WEFTDIALECT_TD
#define WEFT_DIALECT_WEFT_IR_WEFTDIALECT_TD

include "mlir/IR/OpBase.td"
include "weft/Dialect/Common/CommonAttrs.td"

def Weft_Dialect : Dialect {
  let name = "weft";
  let cppNamespace = "::mlir::weft";
  let summary = "Tensor-level deep learning graph ops with static shapes";
  let description = [{
    The `weft` dialect is the graph level of the weft compiler. Every op works
    on statically shaped tensors of `f32`, `f16`, `bf16`, `f64`, `i8`, `i32`
    or `i64`, verifies its shape rules, and infers its result type, so a
    builder never has to pass one. Elementwise binary ops broadcast like
    numpy.

    ```mlir
    func.func @mlp(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>,
                   %b: tensor<32xf32>) -> tensor<8x32xf32> {
      %y = weft.matmul %x, %w : tensor<8x16xf32>, tensor<16x32xf32> -> tensor<8x32xf32>
      %z = weft.add %y, %b : tensor<8x32xf32>, tensor<32xf32>
      %r = weft.gelu %z : tensor<8x32xf32>
      return %r : tensor<8x32xf32>
    }
    ```
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Weft_ElementType : AnyTypeOf<[F32, F16, BF16, I8, I32, I64, F64]>;
def Weft_FloatElementType : AnyTypeOf<[F32, F16, BF16, F64]>;
def Weft_IndexElementType : AnyTypeOf<[I32, I64]>;

class Weft_StaticTensorOf<list<Type> allowed, string what>
    : Type<And<[TensorOf<allowed>.predicate, HasStaticShapePred]>,
           "statically shaped tensor of " # what, "::mlir::RankedTensorType">;

def Weft_Tensor : Weft_StaticTensorOf<[Weft_ElementType],
                                      "f32/f16/bf16/i8/i32/i64/f64">;
def Weft_FloatTensor : Weft_StaticTensorOf<[Weft_FloatElementType],
                                           "f32/f16/bf16/f64">;
def Weft_IndexTensor : Weft_StaticTensorOf<[Weft_IndexElementType],
                                           "i32/i64">;

#endif // WEFT_DIALECT_WEFT_IR_WEFTDIALECT_TD
