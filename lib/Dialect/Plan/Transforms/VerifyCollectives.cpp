//===- VerifyCollectives.cpp - devices agree on every collective ----------===//
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Plan/Transforms/Passes.h"

#include "llvm/ADT/MapVector.h"

namespace weft {
#define GEN_PASS_DEF_VERIFYCOLLECTIVESPASS
#include "weft/Dialect/Plan/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::plan;

namespace {

/// One device's view of one collective.
struct Issue {
  ProgramOp program;
  CollectiveOp op;
};

LogicalResult verifyEntry(ArrayRef<ProgramOp> programs) {
  llvm::DenseSet<int64_t> devices;
  for (ProgramOp p : programs)
    devices.insert(p.getDevice());
  // order -> the devices issuing it.
  std::map<int64_t, SmallVector<Issue>> byOrder;
  for (ProgramOp p : programs) {
    // (Increasing orders within a program: the plan.program verifier.)
    for (Operation *op : p.getCommands()) {
      auto c = dyn_cast<CollectiveOp>(op);
      if (!c)
        continue;
      if (auto group = c.getGroup())
        if (!llvm::is_contained(*group, p.getDevice()))
          return c.emitOpError("runs on device ")
                 << p.getDevice() << ", which is not in its group";
      byOrder[c.getOrder()].push_back({p, c});
    }
  }
  for (auto &[order, issues] : byOrder) {
    Issue first = issues.front();
    StringRef kind = stringifyCollectiveKind(first.op.getKind());
    auto describe = [&](Issue i) {
      return "device " + std::to_string(i.program.getDevice());
    };
    for (Issue i : ArrayRef<Issue>(issues).drop_front()) {
      auto mismatch = [&](StringRef what) {
        return i.op.emitOpError()
               << kind << " order " << order << ": " << describe(i) << " and "
               << describe(first) << " disagree on the " << what;
      };
      if (i.op.getKind() != first.op.getKind())
        return mismatch("kind");
      if (i.op.getReduce() != first.op.getReduce())
        return mismatch("reduction");
      if (i.op.getGroup() != first.op.getGroup())
        return mismatch("group");
      if (i.op->getAttr("weft.type") != first.op->getAttr("weft.type"))
        return mismatch("tensor it moves (element type or count)");
    }
    // Every member of the group issues it (send/recv pair up by peer).
    if (auto group = first.op.getGroup()) {
      for (int64_t d : *group) {
        if (!devices.contains(d))
          return first.op.emitOpError()
                 << kind << " order " << order << ": device " << d
                 << " of its group has no program";
        if (!llvm::any_of(issues,
                          [&](Issue i) { return i.program.getDevice() == d; }))
          return first.op.emitOpError()
                 << kind << " order " << order << ": device " << d
                 << " of its group never issues it (the plan would hang)";
      }
    }
  }
  return success();
}

struct VerifyCollectivesPass
    : ::weft::impl::VerifyCollectivesPassBase<VerifyCollectivesPass> {
  void runOnOperation() override {
    llvm::MapVector<StringRef, SmallVector<ProgramOp>> entries;
    for (ProgramOp p : getOperation().getOps<ProgramOp>())
      entries[p.getEntry().value_or(p.getSymName())].push_back(p);
    for (auto &[name, programs] : entries)
      if (failed(verifyEntry(programs)))
        return signalPassFailure();
  }
};

} // namespace
