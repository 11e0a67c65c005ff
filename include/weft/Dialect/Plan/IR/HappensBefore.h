//===- HappensBefore.h - ordering of plan commands across streams -*- C++
//-*-===//
//
// One command happens before another when both run on the same stream and
// it was issued first, or through events: a record on one stream and a
// later wait on another, transitively. Vector clocks (one component per
// stream) answer the question in O(1) per pair. Built incrementally, in
// issue order, so a pass that inserts events can keep it up to date.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_DIALECT_PLAN_IR_HAPPENSBEFORE_H
#define WEFT_DIALECT_PLAN_IR_HAPPENSBEFORE_H

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir::plan {

class HappensBefore {
public:
  /// Appends a command issued on `stream`; returns its index. `recorded`
  /// / `waited` name the event the command records or waits on, if any.
  unsigned add(StringAttr stream, StringAttr recorded = {},
               StringAttr waited = {});

  /// Whether command `a` happens before command `b` (a != b).
  bool before(unsigned a, unsigned b) const {
    unsigned s = streams[a];
    return a != b && clocks[b][s] >= clocks[a][s];
  }
  /// Whether every command of `as` happens before every command of `bs`.
  bool allBefore(llvm::ArrayRef<unsigned> as,
                 llvm::ArrayRef<unsigned> bs) const;
  unsigned size() const { return streams.size(); }
  unsigned numStreams() const { return streamIndex.size(); }

private:
  llvm::DenseMap<StringAttr, unsigned> streamIndex;
  llvm::SmallVector<llvm::SmallVector<int64_t>> streamClocks;
  llvm::DenseMap<StringAttr, llvm::SmallVector<int64_t>> eventClocks;
  llvm::SmallVector<unsigned> streams;
  llvm::SmallVector<llvm::SmallVector<int64_t>> clocks;
};

} // namespace mlir::plan

#endif // WEFT_DIALECT_PLAN_IR_HAPPENSBEFORE_H
