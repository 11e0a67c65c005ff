//===- ScheduleStreams.cpp - streams and events for plan commands ---------===//
#include "weft/Dialect/Plan/IR/HappensBefore.h"
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Plan/Transforms/Passes.h"

namespace weft {
#define GEN_PASS_DEF_SCHEDULESTREAMSPASS
#include "weft/Dialect/Plan/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::plan;

namespace {

class Scheduler {
public:
  explicit Scheduler(ProgramOp program) : program(program) {}

  void assignStreams();
  LogicalResult insertEvents();
  /// Marks each collective with `weft.overlap`: how many compute commands
  /// neither happen before nor after it, i.e. may run while it does.
  void markOverlap();

private:
  FlatSymbolRefAttr stream(StringRef name, StreamKind kind) {
    MLIRContext *ctx = program.getContext();
    if (!SymbolTable::lookupSymbolIn(program, name)) {
      OpBuilder b = OpBuilder::atBlockBegin(&program.getBody().front());
      StreamOp::create(b, program.getLoc(), name, kind);
    }
    return FlatSymbolRefAttr::get(ctx, name);
  }
  ArenaKind arenaKindOf(FlatSymbolRefAttr buffer) {
    auto buf = cast<BufferOp>(SymbolTable::lookupSymbolIn(program, buffer));
    auto arena =
        cast<ArenaOp>(SymbolTable::lookupSymbolIn(program, buf.getArenaAttr()));
    return arena.getKind();
  }
  /// Declares a new event, records it after command `after` (on its
  /// stream) and waits on it before `before` (on its stream).
  void order(Operation *after, Operation *before);

  ProgramOp program;
  unsigned nextEvent = 0;
};

void Scheduler::assignStreams() {
  for (Operation *op : program.getCommands()) {
    FlatSymbolRefAttr s;
    if (isa<CollectiveOp>(op))
      s = stream("comm", StreamKind::comm);
    else if (auto copy = dyn_cast<CopyOp>(op);
             copy && arenaKindOf(copy.getSourceAttr()) !=
                         arenaKindOf(copy.getTargetAttr()))
      s = stream("copy", StreamKind::copy);
    else if (isa<EventRecordOp, EventWaitOp>(op))
      continue; // explicit synchronization stays where it was put
    else
      s = stream("compute", StreamKind::compute);
    op->setAttr("stream", s);
  }
}

void Scheduler::order(Operation *after, Operation *before) {
  MLIRContext *ctx = program.getContext();
  std::string name;
  do
    name = "e" + std::to_string(nextEvent++);
  while (SymbolTable::lookupSymbolIn(program, name));
  // Declared with the other declarations, before the first command.
  OpBuilder b(program.getCommands().front());
  EventOp::create(b, program.getLoc(), name);
  auto event = FlatSymbolRefAttr::get(ctx, name);
  b.setInsertionPointAfter(after);
  EventRecordOp::create(b, after->getLoc(), event,
                        cast<PlanCommand>(after).getStreamAttr());
  b.setInsertionPoint(before);
  EventWaitOp::create(b, before->getLoc(), event,
                      cast<PlanCommand>(before).getStreamAttr());
}

LogicalResult Scheduler::insertEvents() {
  // Walk in issue order; for each buffer remember its last writer and the
  // readers since. Inserted events change the order relation, so it is
  // rebuilt after each insertion (plans are small; a rebuild is linear).
  bool changed = true;
  while (changed) {
    changed = false;
    HappensBefore hb;
    SmallVector<Operation *> commands = program.getCommands();
    DenseMap<Attribute, unsigned> lastWriter;
    DenseMap<Attribute, SmallVector<unsigned>> readers;
    for (auto [i, op] : llvm::enumerate(commands)) {
      auto cmd = cast<PlanCommand>(op);
      StringAttr rec, wait;
      if (auto r = dyn_cast<EventRecordOp>(op))
        rec = r.getEventAttr().getAttr();
      if (auto w = dyn_cast<EventWaitOp>(op))
        wait = w.getEventAttr().getAttr();
      unsigned me = hb.add(cmd.getStreamAttr().getAttr(), rec, wait);
      SmallVector<unsigned> deps;
      for (FlatSymbolRefAttr r : cmd.getReadBuffers())
        if (auto it = lastWriter.find(r); it != lastWriter.end())
          deps.push_back(it->second);
      for (FlatSymbolRefAttr w : cmd.getWrittenBuffers()) {
        if (auto it = lastWriter.find(w); it != lastWriter.end())
          deps.push_back(it->second);
        llvm::append_range(deps, readers.lookup(w));
      }
      for (unsigned d : deps) {
        if (d == me || hb.before(d, me))
          continue;
        order(commands[d], op);
        changed = true;
        break;
      }
      if (changed)
        break;
      for (FlatSymbolRefAttr r : cmd.getReadBuffers())
        readers[r].push_back(me);
      for (FlatSymbolRefAttr w : cmd.getWrittenBuffers()) {
        lastWriter[w] = me;
        readers[w].clear();
      }
    }
  }
  return success();
}

void Scheduler::markOverlap() {
  HappensBefore hb;
  SmallVector<Operation *> commands = program.getCommands();
  for (Operation *op : commands) {
    StringAttr rec, wait;
    if (auto r = dyn_cast<EventRecordOp>(op))
      rec = r.getEventAttr().getAttr();
    if (auto w = dyn_cast<EventWaitOp>(op))
      wait = w.getEventAttr().getAttr();
    hb.add(cast<PlanCommand>(op).getStreamAttr().getAttr(), rec, wait);
  }
  Builder b(program.getContext());
  for (auto [i, op] : llvm::enumerate(commands)) {
    if (!isa<CollectiveOp>(op))
      continue;
    int64_t free = 0;
    for (auto [j, other] : llvm::enumerate(commands))
      if (isa<LaunchOp, GemmOp>(other) && !hb.before(i, j) && !hb.before(j, i))
        ++free;
    op->setAttr("weft.overlap", b.getI64IntegerAttr(free));
  }
}

struct ScheduleStreamsPass
    : ::weft::impl::ScheduleStreamsPassBase<ScheduleStreamsPass> {
  using Base::Base;
  void runOnOperation() override {
    for (auto program : getOperation().getOps<ProgramOp>()) {
      for (auto buffer : program.getBody().getOps<BufferOp>())
        if (buffer.getLive()) {
          buffer.emitOpError("has a live range: run plan-schedule before "
                             "plan-assign-offsets (events renumber steps)");
          return signalPassFailure();
        }
      Scheduler s(program);
      if (assignStreams)
        s.assignStreams();
      if (failed(s.insertEvents()))
        return signalPassFailure();
      s.markOverlap();
    }
  }
};
} // namespace
