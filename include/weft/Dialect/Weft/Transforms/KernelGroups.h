//===- KernelGroups.h - forming and outlining kernel groups -----*- C++ -*-===//
//
// The machinery under every grouping policy: which functions are entries,
// and how a set of ops becomes one `weft.group`.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_DIALECT_WEFT_TRANSFORMS_KERNELGROUPS_H
#define WEFT_DIALECT_WEFT_TRANSFORMS_KERNELGROUPS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"

namespace weft {

/// Name of the nested module holding outlined kernels.
inline constexpr llvm::StringLiteral kKernelModuleName = "weft_kernels";
/// On an outlined kernel: how many leading arguments are inputs (the rest
/// are outputs, then scratch).
inline constexpr llvm::StringLiteral kNumInputsAttr = "weft.num_inputs";
/// On an entry argument: it is persistent state (a parameter), named by
/// `weft.name`, optionally with its initial value in `weft.init`.
inline constexpr llvm::StringLiteral kStateAttr = "weft.state";
inline constexpr llvm::StringLiteral kStateInitAttr = "weft.init";
/// On a function: differentiate its first result with respect to these
/// arguments (weft-autodiff).
inline constexpr llvm::StringLiteral kAutodiffAttr = "weft.autodiff";
/// On a result: it is the gradient of this argument (weft-autodiff).
inline constexpr llvm::StringLiteral kGradOfAttr = "weft.grad_of";
/// On a result: its value replaces the persistent state of this argument
/// at the end of each run (the argument must be `weft.state` of the same
/// type); it is not an output.
inline constexpr llvm::StringLiteral kUpdateAttr = "weft.update";
/// On a function: the optimizer weft-optimizer compiles into it.
inline constexpr llvm::StringLiteral kOptimizerAttr = "weft.optimizer";
/// Attribute marking a GEMM that runs as a library call.
inline constexpr llvm::StringLiteral kLibraryCallAttr = "weft.library_call";

/// The name of an entry's argument or result: its `weft.name` attribute,
/// else `fallback` followed by its index ("arg0", "out1").
std::string ioName(mlir::DictionaryAttr attrs, llvm::StringRef fallback,
                   unsigned i);
/// ioName of argument `i` of `fn` ("arg<i>" when unnamed).
inline std::string argumentName(mlir::func::FuncOp fn, unsigned i) {
  return ioName(fn.getArgAttrDict(i), "arg", i);
}

/// Whether `fn` is an entry function: marked `weft.entry`, or a defined
/// `@main`.
bool isEntryFunction(mlir::func::FuncOp fn);

/// The module's entry functions, in order.
llvm::SmallVector<mlir::func::FuncOp> getEntryFunctions(mlir::ModuleOp module);

/// Checks what every pipeline needs of an entry function: one block ending
/// in func.return, only weft ops (and dist ops when `allowDist`: sharding
/// pins before dist-auto-shard), statically shaped int/float tensors in
/// and out. Reports the first problem at the op (or argument) at fault.
mlir::LogicalResult verifyEntryFunction(mlir::func::FuncOp fn,
                                        bool allowDist = false);

/// Whether a constant is cheap enough to clone into every kernel that reads
/// it (a splat: one value, generated as a fill).
bool isClonableConstant(mlir::Operation *op);

/// Whether `op` needs no kernel of its own under any grouping policy:
/// constants, groups and dispatches, library-call GEMMs, and reshapes of
/// computed tensors (a row-major reshape aliases its input's buffer).
bool staysOutsideGroups(mlir::Operation *op);
/// Erases the constants of `fn` outside groups that nothing reads any more
/// (every reader holds a copy inside its group).
void eraseDeadConstants(mlir::func::FuncOp fn, mlir::RewriterBase &rewriter);
/// Wraps `ops` (in one block, in order, with no op outside the set between
/// a member's operands and its uses inside the set) into a `weft.group`
/// placed before the first of them. Results used outside the set are
/// yielded; clonable constants the ops read are cloned into the region.
mlir::weft::GroupOp formGroup(llvm::ArrayRef<mlir::Operation *> ops,
                              mlir::RewriterBase &rewriter);

} // namespace weft

#endif // WEFT_DIALECT_WEFT_TRANSFORMS_KERNELGROUPS_H
