//===- ElementwiseGradients.cpp - VJPs of elementwise weft ops ------------===//
//
// Unary ops multiply the result gradient by the derivative (written with
// the op's input `x` and result `y`); binary ops do the same per operand
// and sum the product back to the operand's shape where it was broadcast.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::weft;
using namespace mlir::weft::grad;

namespace {
/// Appends `dydx * g` as the gradient of a unary op's only operand.
LogicalResult
unary(Operation *op, OpBuilder &builder, ValueRange grads,
      SmallVectorImpl<Value> &out,
      function_ref<Value(ImplicitLocOpBuilder &, Value x, Value y, Value g)>
          rule) {
  Value x = op->getOperand(0);
  if (!isa<FloatType>(typeOf(x).getElementType())) {
    out.push_back(Value()); // integer abs / relu / neg
    return success();
  }
  ImplicitLocOpBuilder b(op->getLoc(), builder);
  out.push_back(rule(b, x, op->getResult(0), grads[0]));
  return success();
}

/// A 0/1 mask of `pred(x, c)` for a scalar constant `c`.
Value maskOf(ImplicitLocOpBuilder &b, ComparePredicate pred, Value x,
             double c) {
  return CompareOp::create(b, pred, x,
                           scalar(b, typeOf(x).getElementType(), c));
}

/// Appends the gradients of a binary op: `da * g` and `db * g`, each summed
/// back to its operand's type; a null `da`/`db` means "the gradient is g".
void binary(ImplicitLocOpBuilder &b, Operation *op, Value ga, Value gb,
            SmallVectorImpl<Value> &out) {
  out.push_back(unbroadcast(b, ga, typeOf(op->getOperand(0))));
  out.push_back(unbroadcast(b, gb, typeOf(op->getOperand(1))));
}
/// max / min: the gradient goes to the operand that was selected, the
/// left one where `lhs <leftWins> rhs` (so ties go to the left operand).
LogicalResult select(Operation *op, OpBuilder &builder, ValueRange grads,
                     SmallVectorImpl<Value> &out, ComparePredicate leftWins) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (!isa<FloatType>(typeOf(lhs).getElementType())) {
    out.append(2, Value());
    return success();
  }
  ImplicitLocOpBuilder b(op->getLoc(), builder);
  Value left = CompareOp::create(b, leftWins, lhs, rhs);
  Value ga = mul(b, grads[0], left);
  binary(b, op, ga, sub(b, grads[0], ga), out);
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// Constants and casts
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::buildGradients(OpBuilder &, ValueRange,
                                         SmallVectorImpl<Value> &) {
  return success(); // no operands
}

LogicalResult CastOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  if (!isDifferentiableOperand(0)) {
    out.push_back(Value());
    return success();
  }
  // Only float results carry gradients here, so this is float -> float.
  ImplicitLocOpBuilder b(getLoc(), builder);
  out.push_back(CastOp::create(b, getInput().getType(), grads[0]));
  return success();
}

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

LogicalResult NegOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value, Value, Value g) -> Value {
                 return NegOp::create(b, g);
               });
}

LogicalResult AbsOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  // sign(x) (0 at x = 0, as numpy's and JAX's subgradient choice).
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value x, Value, Value g) {
                 // Sequenced: argument evaluation order is unspecified.
                 Value pos = maskOf(b, ComparePredicate::gt, x, 0);
                 Value neg = maskOf(b, ComparePredicate::lt, x, 0);
                 Value sign = sub(b, pos, neg);
                 return mul(b, g, sign);
               });
}

LogicalResult ExpOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value, Value y, Value g) {
                 return mul(b, g, y);
               });
}

LogicalResult LogOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value x, Value, Value g) {
                 return div(b, g, x);
               });
}

LogicalResult SqrtOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  // d sqrt(x) = 1 / (2 sqrt(x))
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value, Value y, Value g) {
                 return div(b, scale(b, g, 0.5), y);
               });
}

LogicalResult RsqrtOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                      SmallVectorImpl<Value> &out) {
  // d x^(-1/2) = -1/2 x^(-3/2) = -1/2 y^3
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value, Value y, Value g) {
                 Value half = scale(b, g, -0.5);
                 Value cube = mul(b, y, mul(b, y, y));
                 return mul(b, half, cube);
               });
}

LogicalResult TanhOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  // 1 - y^2
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value, Value y, Value g) {
                 return sub(b, g, mul(b, g, mul(b, y, y)));
               });
}

LogicalResult SigmoidOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  // y (1 - y)
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value, Value y, Value g) {
                 Value one = scalar(b, typeOf(y).getElementType(), 1);
                 return mul(b, g, mul(b, y, sub(b, one, y)));
               });
}

LogicalResult ReluOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  // 1 for x > 0, else 0 (the subgradient at 0 is 0, as in PyTorch and JAX).
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value x, Value, Value g) {
                 return mul(b, g, maskOf(b, ComparePredicate::gt, x, 0));
               });
}

LogicalResult SiluOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  // s (1 + x (1 - s)) with s = sigmoid(x)
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value x, Value, Value g) {
                 Value s = SigmoidOp::create(b, x);
                 Value one = scalar(b, typeOf(x).getElementType(), 1);
                 Value d = mul(b, s, add(b, one, mul(b, x, sub(b, one, s))));
                 return mul(b, g, d);
               });
}

LogicalResult ErfOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  // 2 / sqrt(pi) * exp(-x^2)
  return unary(*this, builder, grads, out,
               [](ImplicitLocOpBuilder &b, Value x, Value, Value g) {
                 Value e = ExpOp::create(b, NegOp::create(b, mul(b, x, x)));
                 return mul(b, scale(b, g, 2 / std::sqrt(M_PI)), e);
               });
}

LogicalResult GeluOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                     SmallVectorImpl<Value> &out) {
  bool approximate = getApproximate();
  return unary(
      *this, builder, grads, out,
      [approximate](ImplicitLocOpBuilder &b, Value x, Value, Value g) {
        Type et = typeOf(x).getElementType();
        Value half = scalar(b, et, 0.5), one = scalar(b, et, 1);
        Value d;
        if (approximate) {
          // y = x/2 (1 + t), t = tanh(c (x + k x^3)):
          // y' = (1 + t)/2 + x/2 (1 - t^2) c (1 + 3k x^2)
          const double c = std::sqrt(2 / M_PI), k = 0.044715;
          Value x2 = mul(b, x, x);
          Value inner = mul(b, x, add(b, one, scale(b, x2, k)));
          Value t = TanhOp::create(b, scale(b, inner, c));
          Value dInner = add(b, one, scale(b, x2, 3 * k));
          Value dt = mul(b, sub(b, one, mul(b, t, t)), scale(b, dInner, c));
          d = add(b, mul(b, half, add(b, one, t)), mul(b, mul(b, half, x), dt));
        } else {
          // Phi(x) + x phi(x)
          Value cdf = mul(
              b, half,
              add(b, one, ErfOp::create(b, scale(b, x, 1 / std::sqrt(2.0)))));
          Value pdf = scale(b, ExpOp::create(b, scale(b, mul(b, x, x), -0.5)),
                            1 / std::sqrt(2 * M_PI));
          d = add(b, cdf, mul(b, x, pdf));
        }
        return mul(b, g, d);
      });
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

LogicalResult AddOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  binary(b, *this, grads[0], grads[0], out);
  return success();
}

LogicalResult SubOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  binary(b, *this, grads[0], NegOp::create(b, grads[0]), out);
  return success();
}

LogicalResult MulOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  Value ga = mul(b, grads[0], getRhs());
  Value gb = mul(b, grads[0], getLhs());
  binary(b, *this, ga, gb, out);
  return success();
}

LogicalResult DivOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  // d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b
  Value ga = div(b, grads[0], getRhs());
  Value gb = NegOp::create(b, mul(b, ga, getResult()));
  binary(b, *this, ga, gb, out);
  return success();
}

LogicalResult MaxOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  return select(*this, builder, grads, out, ComparePredicate::ge);
}

LogicalResult MinOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  return select(*this, builder, grads, out, ComparePredicate::le);
}

LogicalResult PowOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  // d a^e / da = e a^(e-1); d a^e / de = log(a) a^e
  Value e = getRhs();
  Value one = scalar(b, getType().getElementType(), 1);
  Value ga =
      mul(b, grads[0], mul(b, e, PowOp::create(b, getLhs(), sub(b, e, one))));
  Value gb = mul(b, grads[0], mul(b, LogOp::create(b, getLhs()), getResult()));
  binary(b, *this, ga, gb, out);
  return success();
}

LogicalResult CompareOp::buildGradients(OpBuilder &builder, ValueRange,
                                        SmallVectorImpl<Value> &out) {
  // A mask is piecewise constant: zero gradients.
  ImplicitLocOpBuilder b(getLoc(), builder);
  for (unsigned i = 0; i < 2; ++i)
    out.push_back(isDifferentiableOperand(i) ? zerosLike(b, getOperand(i))
                                             : Value());
  return success();
}
