//===- PlanOps.cpp - plan verifiers ---------------------------------------===//
//
// The program verifier is the proof obligation of a plan: memory is in
// bounds and never shared by two live buffers, commands touch only live
// buffers on declared streams, events are recorded before they are waited
// on, and collectives are issued in their global order.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Plan/IR/PlanOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::plan;

//===----------------------------------------------------------------------===//
// Custom directive: a possibly empty list `@a, @b`.
//===----------------------------------------------------------------------===//

static ParseResult parseSymbolList(OpAsmParser &parser, ArrayAttr &list) {
  SmallVector<Attribute> symbols;
  StringAttr name;
  if (succeeded(parser.parseOptionalSymbolName(name))) {
    symbols.push_back(FlatSymbolRefAttr::get(name));
    while (succeeded(parser.parseOptionalComma())) {
      if (parser.parseSymbolName(name))
        return failure();
      symbols.push_back(FlatSymbolRefAttr::get(name));
    }
  }
  list = parser.getBuilder().getArrayAttr(symbols);
  return success();
}

static void printSymbolList(OpAsmPrinter &printer, Operation *,
                            ArrayAttr list) {
  llvm::interleaveComma(list, printer,
                        [&](Attribute a) { printer.printAttribute(a); });
}

#define GET_OP_CLASSES
#include "weft/Dialect/Plan/IR/PlanOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

LogicalResult ArenaOp::verify() {
  if (getSize() < 0)
    return emitOpError("size must be non-negative, got ") << getSize();
  int64_t align = getAlignment();
  if (align < 1 || !llvm::isPowerOf2_64(align))
    return emitOpError("alignment must be a power of two, got ") << align;
  return success();
}

LogicalResult BufferOp::verify() {
  if (getOffset() < 0)
    return emitOpError("offset must be non-negative, got ") << getOffset();
  if (getSize() <= 0)
    return emitOpError("size must be positive, got ") << getSize();
  if (auto live = getLive()) {
    if (live->size() != 2 || (*live)[0] < 0 || (*live)[0] > (*live)[1])
      return emitOpError("live range must be [first, last] with 0 <= first "
                         "<= last");
  }
  return success();
}

LogicalResult CollectiveOp::verify() {
  bool p2p =
      getKind() == CollectiveKind::send || getKind() == CollectiveKind::recv;
  if (p2p != getPeer().has_value())
    return emitOpError(p2p ? "send/recv needs a peer"
                           : "only send/recv take a peer");
  if (getOrder() < 0)
    return emitOpError("order must be non-negative, got ") << getOrder();
  return success();
}

LogicalResult EventWaitOp::canonicalize(EventWaitOp op,
                                        PatternRewriter &rewriter) {
  // Find the latest record of this event before the wait.
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    auto record = dyn_cast<EventRecordOp>(prev);
    if (!record || record.getEventAttr() != op.getEventAttr())
      continue;
    if (record.getStreamAttr() != op.getStreamAttr())
      return failure();
    rewriter.eraseOp(op);
    return success();
  }
  return failure();
}

//===----------------------------------------------------------------------===//
// ProgramOp
//===----------------------------------------------------------------------===//

SmallVector<Operation *> ProgramOp::getCommands() {
  SmallVector<Operation *> commands;
  for (Operation &op : getBody().front())
    if (op.hasTrait<PlanCommand>())
      commands.push_back(&op);
  return commands;
}

namespace {
/// Checks one program; every check reports on the op at fault.
class ProgramVerifier {
public:
  explicit ProgramVerifier(ProgramOp program) : program(program) {}

  LogicalResult run() {
    commands = program.getCommands();
    collectDeclarations();
    if (failed(verifyBuffers()) || failed(verifyOverlaps()))
      return failure();
    for (auto [step, op] : llvm::enumerate(commands))
      if (failed(verifyCommand(op, step)))
        return failure();
    return success();
  }

private:
  template <typename OpTy> OpTy lookup(Attribute ref) {
    auto sym = dyn_cast<FlatSymbolRefAttr>(ref);
    if (!sym)
      return nullptr;
    return dyn_cast_or_null<OpTy>(
        SymbolTable::lookupSymbolIn(program, sym.getAttr()));
  }

  void collectDeclarations() {
    for (Operation &op : program.getBody().front())
      if (auto buffer = dyn_cast<BufferOp>(op))
        buffers.push_back(buffer);
  }

  /// First and last live step of a buffer.
  std::pair<int64_t, int64_t> liveRange(BufferOp buffer) {
    if (auto live = buffer.getLive())
      return {(*live)[0], (*live)[1]};
    return {0, std::max<int64_t>(commands.size(), 1) - 1};
  }

  LogicalResult verifyBuffers() {
    for (BufferOp buffer : buffers) {
      auto arena = lookup<ArenaOp>(buffer.getArenaAttr());
      if (!arena)
        return buffer.emitOpError("arena ")
               << buffer.getArenaAttr() << " is not a plan.arena of "
               << "program @" << program.getSymName();
      if (buffer.getOffset() % arena.getAlignment() != 0)
        return buffer.emitOpError("offset ")
               << buffer.getOffset() << " is not aligned to "
               << arena.getAlignment() << " bytes";
      if (buffer.getOffset() + buffer.getSize() > arena.getSize())
        return buffer.emitOpError("bytes [")
               << buffer.getOffset() << ", "
               << buffer.getOffset() + buffer.getSize()
               << ") lie outside arena @" << arena.getSymName() << " of size "
               << arena.getSize();
      if (auto live = buffer.getLive();
          live && (*live)[1] >= static_cast<int64_t>(commands.size()))
        return buffer.emitOpError("live range ends at step ")
               << (*live)[1] << " but the program has " << commands.size()
               << " commands";
    }
    return success();
  }

  LogicalResult verifyOverlaps() {
    // Sort by (arena, offset) so only neighbours in offset order need a look
    // at one another's live ranges.
    SmallVector<BufferOp> sorted(buffers);
    llvm::stable_sort(sorted, [](BufferOp a, BufferOp b) {
      if (a.getArena() != b.getArena())
        return a.getArena() < b.getArena();
      return a.getOffset() < b.getOffset();
    });
    for (size_t i = 0; i < sorted.size(); ++i) {
      BufferOp a = sorted[i];
      auto [aFirst, aLast] = liveRange(a);
      for (size_t j = i + 1; j < sorted.size(); ++j) {
        BufferOp b = sorted[j];
        if (b.getArena() != a.getArena() ||
            b.getOffset() >= a.getOffset() + a.getSize())
          break;
        auto [bFirst, bLast] = liveRange(b);
        if (std::max(aFirst, bFirst) > std::min(aLast, bLast))
          continue;
        return b.emitOpError("overlaps buffer @")
               << a.getSymName() << " in arena @" << a.getArena() << " (bytes ["
               << b.getOffset() << ", " << b.getOffset() + b.getSize()
               << ") vs [" << a.getOffset() << ", "
               << a.getOffset() + a.getSize()
               << ")) while both are live at step " << std::max(aFirst, bFirst);
      }
    }
    return success();
  }

  LogicalResult verifyStream(Operation *op, FlatSymbolRefAttr stream) {
    if (!lookup<StreamOp>(stream))
      return op->emitOpError("stream ")
             << stream << " is not a plan.stream of program @"
             << program.getSymName();
    return success();
  }

  LogicalResult verifyBufferUse(Operation *op, Attribute ref, int64_t step) {
    auto buffer = lookup<BufferOp>(ref);
    if (!buffer)
      return op->emitOpError("operand ")
             << ref << " is not a plan.buffer of program @"
             << program.getSymName();
    auto [first, last] = liveRange(buffer);
    if (step < first || step > last)
      return op->emitOpError("uses @")
             << buffer.getSymName() << " at step " << step
             << ", outside its live range [" << first << ", " << last << "]";
    return success();
  }

  LogicalResult verifyBufferLists(Operation *op, ArrayAttr ins, ArrayAttr outs,
                                  int64_t step) {
    for (ArrayAttr list : {ins, outs})
      for (Attribute ref : list)
        if (failed(verifyBufferUse(op, ref, step)))
          return failure();
    return success();
  }

  LogicalResult verifyEvent(Operation *op, FlatSymbolRefAttr event) {
    if (!lookup<EventOp>(event))
      return op->emitOpError("event ")
             << event << " is not a plan.event of program @"
             << program.getSymName();
    return success();
  }

  LogicalResult verifyCommand(Operation *op, int64_t step) {
    if (auto launch = dyn_cast<LaunchOp>(op))
      return failure(failed(verifyStream(op, launch.getStreamAttr())) ||
                     failed(verifyBufferLists(op, launch.getIns(),
                                              launch.getOuts(), step)));
    if (auto call = dyn_cast<LibraryCallOp>(op))
      return failure(
          failed(verifyStream(op, call.getStreamAttr())) ||
          failed(verifyBufferLists(op, call.getIns(), call.getOuts(), step)));
    if (auto coll = dyn_cast<CollectiveOp>(op)) {
      if (failed(verifyStream(op, coll.getStreamAttr())) ||
          failed(verifyBufferLists(op, coll.getIns(), coll.getOuts(), step)))
        return failure();
      if (lastOrder && coll.getOrder() <= *lastOrder)
        return op->emitOpError("order ")
               << coll.getOrder() << " does not follow the previous "
               << "collective's order " << *lastOrder
               << "; collectives must be issued in increasing global order";
      lastOrder = coll.getOrder();
      return success();
    }
    if (auto copy = dyn_cast<CopyOp>(op)) {
      if (failed(verifyStream(op, copy.getStreamAttr())) ||
          failed(verifyBufferUse(op, copy.getSourceAttr(), step)) ||
          failed(verifyBufferUse(op, copy.getTargetAttr(), step)))
        return failure();
      auto src = lookup<BufferOp>(copy.getSourceAttr());
      auto dst = lookup<BufferOp>(copy.getTargetAttr());
      if (src.getSize() != dst.getSize())
        return op->emitOpError("copies ")
               << src.getSize() << " bytes into a buffer of " << dst.getSize()
               << " bytes";
      return success();
    }
    if (auto record = dyn_cast<EventRecordOp>(op)) {
      if (failed(verifyStream(op, record.getStreamAttr())) ||
          failed(verifyEvent(op, record.getEventAttr())))
        return failure();
      recorded.insert(record.getEventAttr().getAttr());
      return success();
    }
    if (auto wait = dyn_cast<EventWaitOp>(op)) {
      if (failed(verifyStream(op, wait.getStreamAttr())) ||
          failed(verifyEvent(op, wait.getEventAttr())))
        return failure();
      if (!recorded.contains(wait.getEventAttr().getAttr()))
        return op->emitOpError("waits on event ")
               << wait.getEventAttr() << " that no earlier command records";
      return success();
    }
    return success();
  }

  ProgramOp program;
  SmallVector<Operation *> commands;
  SmallVector<BufferOp> buffers;
  llvm::DenseSet<StringAttr> recorded;
  std::optional<int64_t> lastOrder;
};
} // namespace

LogicalResult ProgramOp::verifyRegions() {
  if (getDevice() < 0)
    return emitOpError("device must be non-negative, got ") << getDevice();
  return ProgramVerifier(*this).run();
}
