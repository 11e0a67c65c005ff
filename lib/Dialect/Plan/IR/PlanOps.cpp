//===- PlanOps.cpp - plan verifiers ---------------------------------------===//
//
// The program verifier is the proof obligation of a plan: memory is in
// bounds and never shared by two buffers in use at once (ordered by
// happens-before across streams), commands touch only live buffers on
// declared streams, events are recorded before they are waited on,
// collectives are issued in their global order, and the program's inputs,
// outputs and state are well named and sized.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Common/Accumulator.h"
#include "weft/Dialect/Common/TensorLimits.h"
#include "weft/Dialect/Plan/IR/HappensBefore.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

#include <limits>

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

#include "weft/Dialect/Plan/IR/PlanOpInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// PlanCommand: streams and buffer uses
//===----------------------------------------------------------------------===//

static SmallVector<FlatSymbolRefAttr> symbolsOf(ArrayAttr list) {
  SmallVector<FlatSymbolRefAttr> out;
  for (Attribute a : list)
    if (auto s = dyn_cast<FlatSymbolRefAttr>(a))
      out.push_back(s);
  return out;
}

#define WEFT_PLAN_INS_OUTS(Op)                                                 \
  SmallVector<FlatSymbolRefAttr> Op::getReadBuffers() {                        \
    return symbolsOf(getIns());                                                \
  }                                                                            \
  SmallVector<FlatSymbolRefAttr> Op::getWrittenBuffers() {                     \
    return symbolsOf(getOuts());                                               \
  }
WEFT_PLAN_INS_OUTS(LaunchOp)
WEFT_PLAN_INS_OUTS(GemmOp)
WEFT_PLAN_INS_OUTS(CollectiveOp)
#undef WEFT_PLAN_INS_OUTS

SmallVector<FlatSymbolRefAttr> CopyOp::getReadBuffers() {
  return {getSourceAttr()};
}
SmallVector<FlatSymbolRefAttr> CopyOp::getWrittenBuffers() {
  return {getTargetAttr()};
}
SmallVector<FlatSymbolRefAttr> EventRecordOp::getReadBuffers() { return {}; }
SmallVector<FlatSymbolRefAttr> EventRecordOp::getWrittenBuffers() { return {}; }
SmallVector<FlatSymbolRefAttr> EventWaitOp::getReadBuffers() { return {}; }
SmallVector<FlatSymbolRefAttr> EventWaitOp::getWrittenBuffers() { return {}; }

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

/// Bytes of `count` elements of `type`, or nullopt on overflow.
static std::optional<int64_t> bytesOf(Type type, int64_t count) {
  if (!type.isIntOrFloat() || count < 0)
    return std::nullopt;
  return llvm::checkedMul(count, mlir::weft::elementByteSize(type));
}

/// Bytes of a statically shaped tensor, or nullopt on overflow.
static std::optional<int64_t> bytesOf(RankedTensorType type) {
  FailureOr<int64_t> bytes = mlir::weft::checkedByteSize(type);
  if (failed(bytes))
    return std::nullopt;
  return *bytes;
}

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
  if (auto init = getInit()) {
    auto type = dyn_cast<RankedTensorType>(init->getType());
    std::optional<int64_t> bytes = type ? bytesOf(type) : std::nullopt;
    if (!bytes || std::max<int64_t>(*bytes, 1) != getSize())
      return emitOpError("init of type ")
             << init->getType() << " does not fill its " << getSize()
             << " bytes";
  }
  return success();
}

LogicalResult LaunchOp::verify() {
  if (getExtent() < 1)
    return emitOpError("extent must be positive, got ") << getExtent();
  return success();
}

LogicalResult GemmOp::verify() {
  Type a = getAType(), b = getBType();
  if (a != b)
    return emitOpError("operands must have one element type, got ")
           << a << " and " << b;
  auto supported = [](Type t) {
    return t.isF32() || t.isF16() || t.isBF16() || t.isInteger(8) ||
           t.isInteger(32) || t.isInteger(64);
  };
  if (!supported(a))
    return emitOpError("unsupported operand type ") << a;
  Type acc = ::weft::accumulatorType(a);
  if (getAccType() != acc)
    return emitOpError("accumulates ")
           << a << " in " << getAccType() << "; it must accumulate in " << acc;
  if (!supported(getCType()))
    return emitOpError("unsupported result type ") << getCType();
  if (getM() < 0 || getN() < 0 || getK() < 0)
    return emitOpError("m, n, k must be non-negative, got ")
           << getM() << ", " << getN() << ", " << getK();
  constexpr int64_t int32Max = std::numeric_limits<int32_t>::max();
  if (getM() > int32Max || getN() > int32Max || getK() > int32Max)
    return emitOpError("m, n, k must fit in 32 bits (library GEMMs take "
                       "32-bit dimensions), got ")
           << getM() << ", " << getN() << ", " << getK();
  if (getBatch() < 1)
    return emitOpError("batch must be positive, got ") << getBatch();
  for (std::optional<int64_t> stride :
       {getStrideA(), getStrideB(), getStrideC()})
    if (stride && *stride < 0)
      return emitOpError("strides must be non-negative, got ") << *stride;
  size_t wantIns = getEpilogue() == Epilogue::none ? 2 : 3;
  if (getIns().size() != wantIns || getOuts().size() != 1)
    return emitOpError("takes ")
           << wantIns << " inputs and 1 output, got " << getIns().size()
           << " and " << getOuts().size();
  return success();
}

/// Bytes a GEMM touches of one operand: (batch - 1) * stride + rows * cols
/// elements, or nullopt on overflow.
static std::optional<int64_t> gemmExtent(Type type, int64_t batch,
                                         int64_t stride, int64_t rows,
                                         int64_t cols) {
  std::optional<int64_t> matrix = llvm::checkedMul(rows, cols);
  std::optional<int64_t> skip = llvm::checkedMul(batch - 1, stride);
  if (!matrix || !skip)
    return std::nullopt;
  std::optional<int64_t> count = llvm::checkedAdd(*matrix, *skip);
  return count ? bytesOf(type, *count) : std::nullopt;
}

LogicalResult CollectiveOp::verify() {
  bool p2p =
      getKind() == CollectiveKind::send || getKind() == CollectiveKind::recv;
  if (p2p != getPeer().has_value())
    return emitOpError(p2p ? "send/recv needs a peer"
                           : "only send/recv take a peer");
  if (getOrder() < 0)
    return emitOpError("order must be non-negative, got ") << getOrder();
  if (p2p && getGroup())
    return emitOpError("send/recv name a peer, not a group");
  if (!p2p) {
    std::optional<ArrayRef<int64_t>> group = getGroup();
    if (!group || group->empty())
      return emitOpError("needs a group of devices");
    llvm::SmallDenseSet<int64_t> seen;
    for (int64_t d : *group)
      if (d < 0 || !seen.insert(d).second)
        return emitOpError("group must list distinct non-negative devices");
  }
  bool reducing = getKind() == CollectiveKind::all_reduce ||
                  getKind() == CollectiveKind::reduce_scatter;
  if (reducing != getReduce().has_value())
    return emitOpError(reducing ? "all_reduce/reduce_scatter need a reduction"
                                : "only all_reduce/reduce_scatter reduce");
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
    if (isa<PlanCommand>(op))
      commands.push_back(&op);
  return commands;
}

namespace {

/// Why `name` cannot name a file `weft-run` writes, or "" when it can.
StringRef unsafeNameReason(StringRef name) {
  if (name.empty())
    return "is empty";
  if (name.size() > 255)
    return "is longer than 255 bytes";
  if (name.front() == '.')
    return "starts with '.'";
  for (char c : name)
    if (c == '/' || c == '\\' || c == '\0' ||
        static_cast<unsigned char>(c) < 32)
      return "contains '/', a backslash or a control character";
  return "";
}

/// Checks one program; every check reports on the op at fault.
class ProgramVerifier {
public:
  explicit ProgramVerifier(ProgramOp program) : program(program) {}

  LogicalResult run() {
    commands = program.getCommands();
    collectDeclarations();
    if (failed(verifyBuffers()) || failed(verifyTensors()))
      return failure();
    for (auto [step, op] : llvm::enumerate(commands))
      if (failed(verifyCommand(op, step)))
        return failure();
    if (failed(verifyRaces()))
      return failure();
    return verifyOverlaps();
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
    for (Operation &op : program.getBody().front()) {
      if (auto buffer = dyn_cast<BufferOp>(op))
        buffers.push_back(buffer);
    }
  }

  /// First and last live step of a buffer; nullopt when it is live for the
  /// whole program and beyond (no `live` range).
  std::optional<std::pair<int64_t, int64_t>> liveRange(BufferOp buffer) {
    if (auto live = buffer.getLive())
      return std::make_pair((*live)[0], (*live)[1]);
    return std::nullopt;
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
      std::optional<int64_t> end =
          llvm::checkedAdd(buffer.getOffset(), buffer.getSize());
      if (!end || *end > arena.getSize())
        return buffer.emitOpError("bytes [")
               << buffer.getOffset() << ", "
               << (end ? std::to_string(*end) : std::string("overflow"))
               << ") lie outside arena @" << arena.getSymName() << " of size "
               << arena.getSize();
      if (auto live = buffer.getLive();
          live && (*live)[1] >= static_cast<int64_t>(commands.size()))
        return buffer.emitOpError("live range ends at step ")
               << (*live)[1] << " but the program has " << commands.size()
               << " commands";
      if (buffer.getInit() && !arena.getPersistent())
        return buffer.emitOpError("has init data but arena @")
               << arena.getSymName() << " is not persistent";
      if (arena.getPersistent() && buffer.getLive())
        return buffer.emitOpError("lives in persistent arena @")
               << arena.getSymName() << " and cannot have a live range";
    }
    return success();
  }

  LogicalResult verifyTensors() {
    llvm::StringMap<Operation *> names;
    for (Operation &op : program.getBody().front()) {
      StringRef name;
      FlatSymbolRefAttr ref;
      Type type;
      if (auto in = dyn_cast<InputOp>(op))
        name = in.getName(), ref = in.getBufferAttr(), type = in.getType();
      else if (auto out = dyn_cast<OutputOp>(op))
        name = out.getName(), ref = out.getBufferAttr(), type = out.getType();
      else if (auto st = dyn_cast<StateOp>(op))
        name = st.getName(), ref = st.getBufferAttr(), type = st.getType();
      else
        continue;
      if (StringRef why = unsafeNameReason(name); !why.empty())
        return op.emitOpError("name '")
               << name << "' " << why << "; names must be safe as file names";
      auto [it, inserted] = names.try_emplace(name, &op);
      if (!inserted)
        return op.emitOpError("name '")
               << name << "' is already used by a " << it->second->getName()
               << "; input, output and state names must be unique";
      auto buffer = lookup<BufferOp>(ref);
      if (!buffer)
        return op.emitOpError("buffer ")
               << ref << " is not a plan.buffer of program @"
               << program.getSymName();
      std::optional<int64_t> bytes = bytesOf(cast<RankedTensorType>(type));
      if (!bytes || std::max<int64_t>(*bytes, 1) != buffer.getSize())
        return op.emitOpError("type ")
               << type << " does not match the " << buffer.getSize()
               << " bytes of buffer @" << buffer.getSymName();
      auto arena = lookup<ArenaOp>(buffer.getArenaAttr());
      if (isa<StateOp>(op) != arena.getPersistent())
        return op.emitOpError(isa<StateOp>(op)
                                  ? "state must live in a persistent arena"
                                  : "inputs and outputs cannot live in a "
                                    "persistent arena");
      if (!isa<StateOp>(op) && buffer.getLive())
        return op.emitOpError("buffer @")
               << buffer.getSymName()
               << " of an input or output must not have a live range";
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
    if (auto range = liveRange(buffer);
        range && (step < range->first || step > range->second))
      return op->emitOpError("uses @")
             << buffer.getSymName() << " at step " << step
             << ", outside its live range [" << range->first << ", "
             << range->second << "]";
    uses[buffer.getSymNameAttr()].push_back(step);
    return success();
  }

  LogicalResult verifyEvent(Operation *op, FlatSymbolRefAttr event) {
    if (!lookup<EventOp>(event))
      return op->emitOpError("event ")
             << event << " is not a plan.event of program @"
             << program.getSymName();
    return success();
  }

  LogicalResult verifyGemm(GemmOp gemm) {
    auto bufferSize = [&](Attribute ref) {
      return lookup<BufferOp>(ref).getSize();
    };
    int64_t m = gemm.getM(), n = gemm.getN(), k = gemm.getK(),
            batch = gemm.getBatch();
    auto [aRows, aCols] = gemm.getTransA() ? std::pair(k, m) : std::pair(m, k);
    auto [bRows, bCols] = gemm.getTransB() ? std::pair(n, k) : std::pair(k, n);
    struct Operand {
      const char *name;
      Attribute ref;
      Type type;
      int64_t stride, rows, cols;
    } operands[] = {{"A", gemm.getIns()[0], gemm.getAType(),
                     gemm.getStrideAOrDefault(), aRows, aCols},
                    {"B", gemm.getIns()[1], gemm.getBType(),
                     gemm.getStrideBOrDefault(), bRows, bCols},
                    {"C", gemm.getOuts()[0], gemm.getCType(),
                     gemm.getStrideCOrDefault(), m, n}};
    if (gemm.getEpilogue() != Epilogue::none) {
      std::optional<int64_t> need = bytesOf(gemm.getCType(), n);
      Attribute bias = gemm.getIns()[2];
      if (!need || *need > bufferSize(bias))
        return gemm.emitOpError("bias needs ")
               << (need ? std::to_string(*need) : std::string("too many"))
               << " bytes but buffer " << bias << " has " << bufferSize(bias);
    }
    for (const Operand &o : operands) {
      std::optional<int64_t> need =
          gemmExtent(o.type, batch, o.stride, o.rows, o.cols);
      if (!need || *need > bufferSize(o.ref))
        return gemm.emitOpError("operand ")
               << o.name << " needs "
               << (need ? std::to_string(*need) : std::string("too many"))
               << " bytes but buffer " << o.ref << " has " << bufferSize(o.ref);
    }
    return success();
  }

  LogicalResult verifyCommand(Operation *op, int64_t step) {
    auto command = cast<PlanCommand>(op);
    FlatSymbolRefAttr stream = command.getStreamAttr();
    if (failed(verifyStream(op, stream)))
      return failure();
    for (FlatSymbolRefAttr ref : llvm::concat<FlatSymbolRefAttr>(
             command.getReadBuffers(), command.getWrittenBuffers()))
      if (failed(verifyBufferUse(op, ref, step)))
        return failure();
    for (FlatSymbolRefAttr ref : command.getWrittenBuffers())
      writes[ref.getAttr()].push_back(step);
    if (auto gemm = dyn_cast<GemmOp>(op); gemm && failed(verifyGemm(gemm)))
      return failure();
    if (auto coll = dyn_cast<CollectiveOp>(op)) {
      if (lastOrder && coll.getOrder() <= *lastOrder)
        return op->emitOpError("order ")
               << coll.getOrder() << " does not follow the previous "
               << "collective's order " << *lastOrder
               << "; collectives must be issued in increasing global order";
      lastOrder = coll.getOrder();
    }
    if (auto copy = dyn_cast<CopyOp>(op)) {
      auto src = lookup<BufferOp>(copy.getSourceAttr());
      auto dst = lookup<BufferOp>(copy.getTargetAttr());
      if (src.getSize() != dst.getSize())
        return op->emitOpError("copies ")
               << src.getSize() << " bytes into a buffer of " << dst.getSize()
               << " bytes";
    }
    if (auto record = dyn_cast<EventRecordOp>(op)) {
      if (failed(verifyEvent(op, record.getEventAttr())))
        return failure();
      recorded.insert(record.getEventAttr().getAttr());
    }
    if (auto wait = dyn_cast<EventWaitOp>(op)) {
      if (failed(verifyEvent(op, wait.getEventAttr())))
        return failure();
      if (!recorded.contains(wait.getEventAttr().getAttr()))
        return op->emitOpError("waits on event ")
               << wait.getEventAttr() << " that no earlier command records";
    }
    StringAttr recordedEvent, waitedEvent;
    if (auto record = dyn_cast<EventRecordOp>(op))
      recordedEvent = record.getEventAttr().getAttr();
    if (auto wait = dyn_cast<EventWaitOp>(op))
      waitedEvent = wait.getEventAttr().getAttr();
    order.add(stream.getAttr(), recordedEvent, waitedEvent);
    return success();
  }

  /// A buffer written on one stream and used on another needs an order
  /// between the two (an event); otherwise the use may see the data before
  /// or after the write.
  LogicalResult verifyRaces() {
    for (BufferOp buffer : buffers) {
      StringAttr name = buffer.getSymNameAttr();
      auto w = writes.find(name);
      if (w == writes.end())
        continue;
      SmallVector<unsigned> all = uses.lookup(name);
      for (unsigned writer : w->second)
        for (unsigned use : all)
          if (use != writer && !order.before(writer, use) &&
              !order.before(use, writer))
            return commands[std::max(writer, use)]->emitOpError("uses @")
                   << buffer.getSymName() << " at step "
                   << std::max(writer, use) << " while step "
                   << std::min(writer, use) << " on another stream may still "
                   << (use > writer ? "be writing it" : "be reading it")
                   << "; order them with an event";
    }
    return success();
  }

  LogicalResult verifyOverlaps() {
    // Sort by (arena, offset) so only neighbours in offset order need a look
    // at one another's uses.
    SmallVector<BufferOp> sorted(buffers);
    llvm::stable_sort(sorted, [](BufferOp a, BufferOp b) {
      if (a.getArena() != b.getArena())
        return a.getArena() < b.getArena();
      return a.getOffset() < b.getOffset();
    });
    for (size_t i = 0; i < sorted.size(); ++i) {
      BufferOp a = sorted[i];
      for (size_t j = i + 1; j < sorted.size(); ++j) {
        BufferOp b = sorted[j];
        if (b.getArena() != a.getArena() ||
            b.getOffset() >= a.getOffset() + a.getSize())
          break;
        // Buffers without a live range are in use throughout (and before
        // and after) the program: they can share bytes with nothing.
        bool ordered = a.getLive() && b.getLive();
        if (ordered) {
          SmallVector<unsigned> ua = uses.lookup(a.getSymNameAttr());
          SmallVector<unsigned> ub = uses.lookup(b.getSymNameAttr());
          ordered = order.allBefore(ua, ub) || order.allBefore(ub, ua);
        }
        if (ordered)
          continue;
        return b.emitOpError("overlaps buffer @")
               << a.getSymName() << " in arena @" << a.getArena() << " (bytes ["
               << b.getOffset() << ", " << b.getOffset() + b.getSize()
               << ") vs [" << a.getOffset() << ", "
               << a.getOffset() + a.getSize()
               << ")) while both may be in use: no order between their uses "
                  "on the program's streams";
      }
    }
    return success();
  }

  ProgramOp program;
  SmallVector<Operation *> commands;
  SmallVector<BufferOp> buffers;
  llvm::DenseMap<StringAttr, SmallVector<unsigned>> uses, writes;
  llvm::DenseSet<StringAttr> recorded;
  std::optional<int64_t> lastOrder;
  HappensBefore order;
};
} // namespace

LogicalResult ProgramOp::verifyRegions() {
  if (getDevice() < 0)
    return emitOpError("device must be non-negative, got ") << getDevice();
  return ProgramVerifier(*this).run();
}

//===----------------------------------------------------------------------===//
// InputOp / OutputOp / StateOp: where a slice of a global tensor lives
//===----------------------------------------------------------------------===//

/// `start` and `global` come together, the slice lies inside the global
/// tensor, and both have the same element type and rank.
static LogicalResult verifySlice(Operation *op, Type localType,
                                 std::optional<ArrayRef<int64_t>> start,
                                 std::optional<Type> global) {
  if (start.has_value() != global.has_value())
    return op->emitOpError("needs both a slice start and a global type");
  if (!start)
    return success();
  auto local = cast<RankedTensorType>(localType);
  auto whole = cast<RankedTensorType>(*global);
  if (local.getElementType() != whole.getElementType() ||
      local.getRank() != whole.getRank() ||
      static_cast<int64_t>(start->size()) != local.getRank())
    return op->emitOpError("slice ")
           << local << " at " << start->size()
           << " starts does not match the global type " << whole;
  for (int64_t d = 0; d < local.getRank(); ++d) {
    int64_t s = (*start)[d];
    if (s < 0 || s > whole.getDimSize(d) ||
        local.getDimSize(d) > whole.getDimSize(d) - s)
      return op->emitOpError("slice of dim ")
             << d << " [" << s << ", " << s << " + " << local.getDimSize(d)
             << ") lies outside the global size " << whole.getDimSize(d);
  }
  return success();
}

LogicalResult InputOp::verify() {
  return verifySlice(*this, getType(), getStart(), getGlobalType());
}
LogicalResult OutputOp::verify() {
  return verifySlice(*this, getType(), getStart(), getGlobalType());
}
LogicalResult StateOp::verify() {
  return verifySlice(*this, getType(), getStart(), getGlobalType());
}
