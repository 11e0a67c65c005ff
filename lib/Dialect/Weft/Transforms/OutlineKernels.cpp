//===- OutlineKernels.cpp - kernel groups to kernel functions -------------===//
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace weft {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::weft;

namespace {

bool isEmpty(Type t) { return cast<RankedTensorType>(t).getNumElements() == 0; }

/// The kernel argument for a tensor. A tensor with no elements is passed as
/// a rank-1 empty memref: the bare-pointer calling convention cannot lower
/// multi-dimensional memrefs with a zero dim, and there is nothing to touch.
MemRefType memrefOf(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  if (isEmpty(tensor))
    return MemRefType::get({0}, tensor.getElementType());
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

/// The module that holds kernels, created on first use.
ModuleOp kernelModule(ModuleOp top) {
  for (auto m : top.getOps<ModuleOp>())
    if (m.getSymName() == ::weft::kKernelModuleName)
      return m;
  OpBuilder b = OpBuilder::atBlockEnd(top.getBody());
  return ModuleOp::create(b, top.getLoc(), ::weft::kKernelModuleName);
}

/// What a group computes, for traces: its ops' names.
std::string labelOf(GroupOp group) {
  std::string label;
  for (Operation &op : group.getBody().front().without_terminator()) {
    if (isa<ConstantOp>(op))
      continue;
    label += (label.empty() ? "" : "+") + op.getName().getStringRef().str();
  }
  return label.empty() ? "weft.constant" : label;
}

/// What a kernel function computes, without its name: equal keys mean
/// interchangeable kernels (the same group outlined for several devices of
/// a mesh, or twice in one entry).
std::string kernelKey(func::FuncOp fn) {
  std::string key;
  llvm::raw_string_ostream os(key);
  os << fn.getFunctionType();
  for (NamedAttribute a : fn->getAttrs())
    if (a.getName() != SymbolTable::getSymbolAttrName())
      os << a.getName() << "=" << a.getValue();
  for (Operation &op : fn.getBody().front())
    op.print(os, OpPrintingFlags().useLocalScope().printGenericOpForm());
  return key;
}

/// Outlines `group` as function `name` in `kernels` (or reuses an identical
/// kernel from `known`) and replaces it by a dispatch.
void outline(GroupOp group, ModuleOp kernels, StringRef newName,
             llvm::StringMap<std::string> &known, RewriterBase &rewriter) {
  std::string name = newName.str();
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(group.getBody(), captured);
  auto yield = cast<YieldOp>(group.getBody().front().getTerminator());

  SmallVector<Type> argTypes;
  for (Value v : captured)
    argTypes.push_back(memrefOf(v.getType()));
  for (Type t : group.getResultTypes())
    argTypes.push_back(memrefOf(t));
  Location loc = group.getLoc();
  OpBuilder b = OpBuilder::atBlockEnd(kernels.getBody());
  auto fn = func::FuncOp::create(b, loc, name, b.getFunctionType(argTypes, {}));
  fn->setAttr(::weft::kNumInputsAttr, b.getI64IntegerAttr(captured.size()));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping map;
  for (auto [i, v] : llvm::enumerate(captured)) {
    auto type = cast<RankedTensorType>(v.getType());
    if (isEmpty(type))
      map.map(v, tensor::EmptyOp::create(b, loc, type.getShape(),
                                         type.getElementType()));
    else
      map.map(v, bufferization::ToTensorOp::create(b, loc, type,
                                                   body->getArgument(i),
                                                   /*restrict=*/true));
  }
  for (Operation &op : group.getBody().front().without_terminator())
    b.clone(op, map);
  for (auto [i, v] : llvm::enumerate(yield.getValues())) {
    if (isEmpty(v.getType()))
      continue; // nothing to write
    auto m = bufferization::MaterializeInDestinationOp::create(
        b, loc, map.lookupOrDefault(v), body->getArgument(captured.size() + i));
    m.setRestrict(true);
    m.setWritable(true);
  }
  func::ReturnOp::create(b, loc);
  auto [it, inserted] = known.try_emplace(kernelKey(fn), name);
  if (!inserted) {
    fn.erase();
    name = it->second;
  }

  rewriter.setInsertionPoint(group);
  auto ref = SymbolRefAttr::get(
      rewriter.getStringAttr(::weft::kKernelModuleName),
      {FlatSymbolRefAttr::get(rewriter.getStringAttr(name))});
  auto dispatch = DispatchOp::create(rewriter, loc, group.getResultTypes(), ref,
                                     rewriter.getStringAttr(labelOf(group)),
                                     captured.getArrayRef());
  rewriter.replaceOp(group, dispatch.getResults());
}

struct OutlineKernelsPass
    : ::weft::impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp top = getOperation();
    SmallVector<GroupOp> groups;
    for (func::FuncOp fn : ::weft::getEntryFunctions(top))
      fn.walk([&](GroupOp g) { groups.push_back(g); });
    if (groups.empty())
      return;
    ModuleOp kernels = kernelModule(top);
    SymbolTable symbols(kernels);
    IRRewriter rewriter(&getContext());
    unsigned next = 0;
    llvm::StringMap<std::string> known;
    for (GroupOp group : groups) {
      std::string name;
      do
        name = "k" + std::to_string(next++);
      while (symbols.lookup(name));
      outline(group, kernels, name, known, rewriter);
    }
  }
};
} // namespace
