//===- AssignOffsets.cpp - liveness and best-fit placement on plan IR -----===//
#include "weft/Analysis/OffsetPlanner.h"
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Plan/Transforms/Passes.h"

namespace weft {
#define GEN_PASS_DEF_ASSIGNOFFSETSPASS
#include "weft/Dialect/Plan/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::plan;

namespace {

struct AssignOffsetsPass
    : ::weft::impl::AssignOffsetsPassBase<AssignOffsetsPass> {
  using Base::Base;

  LogicalResult assign(ProgramOp program) {
    SmallVector<Operation *> commands = program.getCommands();
    int64_t end = std::max<int64_t>(commands.size(), 1) - 1;
    // Steps that touch each buffer, and the streams they run on.
    DenseMap<StringAttr, std::pair<int64_t, int64_t>> range;
    DenseMap<StringAttr, llvm::SmallDenseSet<Attribute, 2>> streamsOf;
    llvm::SmallDenseSet<Attribute, 4> streams;
    for (auto [step, op] : llvm::enumerate(commands)) {
      auto cmd = cast<PlanCommand>(op);
      streams.insert(cmd.getStreamAttr());
      for (FlatSymbolRefAttr ref : llvm::concat<FlatSymbolRefAttr>(
               cmd.getReadBuffers(), cmd.getWrittenBuffers())) {
        auto [it, inserted] =
            range.try_emplace(ref.getAttr(), int64_t(step), int64_t(step));
        it->second.second = std::max<int64_t>(it->second.second, step);
        streamsOf[ref.getAttr()].insert(cmd.getStreamAttr());
      }
    }
    // Buffers bound to the outside live throughout.
    llvm::DenseSet<StringAttr> pinned;
    for (Operation &op : program.getBody().front())
      if (isa<InputOp, OutputOp, StateOp>(op))
        pinned.insert(op.getAttrOfType<FlatSymbolRefAttr>("buffer").getAttr());

    Builder b(&getContext());
    for (auto arena : program.getBody().getOps<ArenaOp>()) {
      SmallVector<BufferOp> members;
      std::vector<::weft::BufferRequest> requests;
      std::vector<bool> whole;
      for (auto buffer : program.getBody().getOps<BufferOp>()) {
        if (buffer.getArena() != arena.getSymName())
          continue;
        members.push_back(buffer);
        StringAttr name = buffer.getSymNameAttr();
        auto it = range.find(name);
        bool throughout =
            arena.getPersistent() || pinned.contains(name) || it == range.end();
        int64_t first = 0, last = end;
        if (!throughout) {
          first = it->second.first;
          last = it->second.second;
          // Across streams, program order is not execution order: keep the
          // buffer until the end (sound; see the pass description).
          if (streams.size() > 1)
            last = end;
        }
        whole.push_back(throughout);
        requests.push_back({buffer.getSize(), first, last});
      }
      int64_t align = std::max<int64_t>(alignment, arena.getAlignment());
      if (align <= 0 || !llvm::isPowerOf2_64(align))
        return program.emitOpError("plan-assign-offsets: alignment ")
               << align << " is not a power of two";
      ::weft::OffsetPlan plan = ::weft::planOffsets(requests, align);
      for (auto [i, buffer] : llvm::enumerate(members)) {
        buffer.setOffset(plan.offsets[i]);
        if (whole[i] || commands.empty())
          buffer.removeLiveAttr();
        else
          buffer.setLiveAttr(
              b.getDenseI64ArrayAttr({requests[i].first, requests[i].last}));
      }
      arena.setSize(plan.arenaSize);
      arena->setAttr("weft.lower_bound", b.getI64IntegerAttr(plan.lowerBound));
      arena->setAttr("weft.placement", b.getStringAttr(plan.strategy));
    }
    return success();
  }

  void runOnOperation() override {
    for (auto program : getOperation().getOps<ProgramOp>())
      if (failed(assign(program)))
        return signalPassFailure();
  }
};
} // namespace
