//===- ShardingReport.h - what dist-auto-shard chose and why ----*- C++ -*-===//
//
// The report of the sharding search: per op the chosen strategy, its costs
// and collectives; per device the predicted step time and peak memory.
// Plain data filled by the pass, rendered as a table or JSON here.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_DIALECT_DIST_TRANSFORMS_SHARDINGREPORT_H
#define WEFT_DIALECT_DIST_TRANSFORMS_SHARDINGREPORT_H

#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

struct ReportCollective {
  std::string kind; ///< all_reduce, all_gather, ...
  std::string axis; ///< mesh axis name
  double bytes = 0; ///< the tensor as the group sees it (group bytes)
  double sentBytesPerRank = 0;
  double seconds = 0;
  std::string value;     ///< which value it moves ("%3 -> operand 1")
  bool backward = false; ///< modeled for the backward pass (training)
  bool gradient = false; ///< a gradient all-reduce (training)
};

struct ReportRow {
  std::string name;     ///< op name, or "arg N"
  std::string location; ///< file:line:col when known
  std::string strategy; ///< "[S(0), B], [B, S(1)] -> [S(0), S(1)]"
  double computeSeconds = 0;
  double commSeconds = 0;
  int64_t memoryBytes = 0; ///< per device, of its results
  bool pinned = false;
  bool replicatedFallback = false; ///< no sharding rule
  std::vector<ReportCollective> collectives;
};

struct ShardingReport {
  std::string function;
  std::string mesh; ///< "@mesh 2x4 (dp, tp)"
  std::vector<std::string> axisNames;
  std::vector<int64_t> meshShape;
  std::string mode; ///< fast | exact
  bool training = false;
  double searchSeconds = 0;
  double gap = -1; ///< exact mode
  bool provedOptimal = false;
  int64_t nodes = 0, strategies = 0, edges = 0;
  int64_t tieGroups = 0, tiedNodes = 0, eliminatedNodes = 0;
  int64_t variables = 0, constraints = 0;
  double predictedSeconds = 0; ///< per device (every device: SPMD)
  double computeSeconds = 0, commSeconds = 0;
  int64_t peakMemoryBytes = 0; ///< per device
  int64_t memoryBudgetBytes = 0;
  std::vector<ReportRow> rows;
  std::vector<std::string> warnings;
};

/// Human-readable table, one row per op.
void printReportTable(const std::vector<ShardingReport> &reports,
                      llvm::raw_ostream &os);
/// The same as JSON: {"functions": [ {...}, ... ]}.
llvm::json::Value reportToJson(const std::vector<ShardingReport> &reports);

} // namespace weft

#endif // WEFT_DIALECT_DIST_TRANSFORMS_SHARDINGREPORT_H
