//===- ShardingReport.cpp - table and JSON forms of the sharding report ---===//
#include "weft/Dialect/Dist/Transforms/ShardingReport.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace llvm;

namespace weft {

static std::string microseconds(double s) {
  return formatv("{0:f1}", s * 1e6).str();
}

static std::string bytes(double b) {
  if (b >= double(1 << 20))
    return formatv("{0:f2} MiB", b / double(1 << 20)).str();
  if (b >= 1024)
    return formatv("{0:f1} KiB", b / 1024).str();
  return formatv("{0} B", static_cast<int64_t>(b)).str();
}

static std::string describe(const ReportCollective &c) {
  std::string s = c.kind + "(" + c.axis + ", " + bytes(c.bytes) + ")";
  if (c.gradient)
    s += " [grad]";
  else if (c.backward)
    s += " [bwd]";
  return s;
}

void printReportTable(const std::vector<ShardingReport> &reports,
                      raw_ostream &os) {
  for (const ShardingReport &r : reports) {
    os << "sharding of @" << r.function << " over " << r.mesh << " (" << r.mode
       << " search" << (r.training ? ", training step" : "") << ")\n";
    size_t nameWidth = 4, stratWidth = 8;
    for (const ReportRow &row : r.rows) {
      nameWidth = std::max(nameWidth, row.name.size());
      stratWidth = std::max(stratWidth, row.strategy.size());
    }
    stratWidth = std::min<size_t>(stratWidth, 60);
    os << formatv("  {0,-4} {1} {2} {3,10} {4,10}  {5}\n", "#",
                  left_justify("op", nameWidth),
                  left_justify("strategy", stratWidth), "compute us", "comm us",
                  "collectives");
    for (auto [i, row] : enumerate(r.rows)) {
      std::string colls;
      for (const ReportCollective &c : row.collectives)
        colls += (colls.empty() ? "" : ", ") + describe(c);
      std::string name = row.name;
      if (row.pinned)
        name += "*";
      os << formatv("  {0,-4} {1} {2} {3,10} {4,10}  {5}\n", i,
                    left_justify(name, nameWidth),
                    left_justify(row.strategy, stratWidth),
                    microseconds(row.computeSeconds),
                    microseconds(row.commSeconds), colls);
    }
    os << "  (* pinned by dist.annotate or an argument/result attribute)\n";
    os << formatv("  predicted step time per device: {0} us (compute {1} us, "
                  "communication {2} us)\n",
                  microseconds(r.predictedSeconds),
                  microseconds(r.computeSeconds), microseconds(r.commSeconds));
    os << "  peak memory per device: " << bytes(double(r.peakMemoryBytes))
       << " (" << r.peakMemoryBytes << " bytes; budget "
       << bytes(double(r.memoryBudgetBytes)) << ")\n";
    os << formatv("  search: {0} mode, {1} s, {2} nodes, {3} strategies, {4} "
                  "edges, {5} repeated-layer groups over {6} nodes",
                  r.mode, formatv("{0:f3}", r.searchSeconds), r.nodes,
                  r.strategies, r.edges, r.tieGroups, r.tiedNodes);
    if (r.mode == "fast")
      os << ", " << r.eliminatedNodes << " eliminated";
    if (r.mode == "exact")
      os << formatv(", {0} variables, {1} constraints, optimality gap {2:f4}"
                    "{3}",
                    r.variables, r.constraints, r.gap,
                    r.provedOptimal ? " (proved optimal)" : "");
    os << "\n";
    for (const std::string &w : r.warnings)
      os << "  warning: " << w << "\n";
  }
}

json::Value reportToJson(const std::vector<ShardingReport> &reports) {
  json::Array functions;
  for (const ShardingReport &r : reports) {
    json::Array rows;
    for (const ReportRow &row : r.rows) {
      json::Array colls;
      for (const ReportCollective &c : row.collectives)
        colls.push_back(
            json::Object{{"kind", c.kind},
                         {"axis", c.axis},
                         {"bytes", c.bytes},
                         {"sent_bytes_per_rank", c.sentBytesPerRank},
                         {"seconds", c.seconds},
                         {"value", c.value},
                         {"backward", c.backward},
                         {"gradient", c.gradient}});
      rows.push_back(
          json::Object{{"op", row.name},
                       {"location", row.location},
                       {"strategy", row.strategy},
                       {"compute_seconds", row.computeSeconds},
                       {"comm_seconds", row.commSeconds},
                       {"memory_bytes", row.memoryBytes},
                       {"pinned", row.pinned},
                       {"replicated_fallback", row.replicatedFallback},
                       {"collectives", std::move(colls)}});
    }
    json::Array axes;
    for (const std::string &a : r.axisNames)
      axes.push_back(a);
    json::Array shape;
    for (int64_t n : r.meshShape)
      shape.push_back(n);
    json::Array warnings;
    for (const std::string &w : r.warnings)
      warnings.push_back(w);
    json::Object search{
        {"mode", r.mode},           {"seconds", r.searchSeconds},
        {"nodes", r.nodes},         {"strategies", r.strategies},
        {"edges", r.edges},         {"tie_groups", r.tieGroups},
        {"tied_nodes", r.tiedNodes}};
    if (r.mode == "fast")
      search["eliminated_nodes"] = r.eliminatedNodes;
    if (r.mode == "exact") {
      search["gap"] = r.gap;
      search["proved_optimal"] = r.provedOptimal;
      search["variables"] = r.variables;
      search["constraints"] = r.constraints;
    }
    functions.push_back(json::Object{
        {"function", r.function},
        {"mesh",
         json::Object{{"shape", std::move(shape)}, {"axes", std::move(axes)}}},
        {"training", r.training},
        {"search", std::move(search)},
        {"per_device",
         json::Object{{"predicted_step_seconds", r.predictedSeconds},
                      {"compute_seconds", r.computeSeconds},
                      {"comm_seconds", r.commSeconds},
                      {"peak_memory_bytes", r.peakMemoryBytes},
                      {"memory_budget_bytes", r.memoryBudgetBytes}}},
        {"ops", std::move(rows)},
        {"warnings", std::move(warnings)}});
  }
  return json::Object{{"functions", std::move(functions)}};
}

} // namespace weft
