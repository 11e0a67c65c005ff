//===- SBP.h - N-D Split/Broadcast/Partial placements ------------*- C++
//-*-===//
//
// The one definition of an SBP placement (OneFlow's Split / Broadcast /
// Partial) and of an N-D SBP: one placement per mesh axis. Plain C++ and
// header-only, so the dist dialect's `#dist.sharding` attribute stores these
// values directly and the analyses (cost model, boxing planner, search) use
// them without IR.
//
// Data layout of a split (the fact every pass and the runtime rely on): when
// several mesh axes split the same tensor dim, they divide it in increasing
// axis order, the lowest axis outermost. Device with mesh coordinates `c`
// holds, along dim d, chunk number sum_k c[a_k] * prod_{l>k} n[a_l] of
// size dim / prod_k n[a_k], where a_0 < a_1 < ... are the axes splitting d.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_ANALYSIS_SBP_H
#define WEFT_ANALYSIS_SBP_H

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace weft::sbp {

enum class Kind : uint8_t { Split, Broadcast, PartialSum, PartialMax };

/// One mesh axis's placement of a tensor.
struct Placement {
  Kind kind = Kind::Broadcast;
  /// The split tensor dim (>= 0) for Split; -1 for every other kind.
  int64_t dim = -1;

  static Placement split(int64_t d) { return {Kind::Split, d}; }
  static Placement broadcast() { return {Kind::Broadcast, -1}; }
  static Placement partialSum() { return {Kind::PartialSum, -1}; }
  static Placement partialMax() { return {Kind::PartialMax, -1}; }

  bool isSplit() const { return kind == Kind::Split; }
  bool isBroadcast() const { return kind == Kind::Broadcast; }
  bool isPartial() const {
    return kind == Kind::PartialSum || kind == Kind::PartialMax;
  }
  /// Well formed: a split names a dim >= 0, nothing else names one.
  bool isWellFormed() const { return isSplit() ? dim >= 0 : dim == -1; }

  bool operator==(const Placement &o) const {
    return kind == o.kind && dim == o.dim;
  }
  bool operator!=(const Placement &o) const { return !(*this == o); }
  bool operator<(const Placement &o) const {
    return kind != o.kind ? kind < o.kind : dim < o.dim;
  }

  /// "S(0)", "B", "P(sum)", "P(max)".
  std::string str() const {
    switch (kind) {
    case Kind::Split:
      return "S(" + std::to_string(dim) + ")";
    case Kind::Broadcast:
      return "B";
    case Kind::PartialSum:
      return "P(sum)";
    case Kind::PartialMax:
      return "P(max)";
    }
    return "?";
  }
};

/// One placement per mesh axis, axis 0 first.
using NdSbp = std::vector<Placement>;

/// "[S(0), B]".
inline std::string str(const NdSbp &s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? ", " : "") + s[i].str();
  return out + "]";
}

/// All-broadcast (replicated) placement over a mesh of `rank` axes.
inline NdSbp replicated(size_t rank) {
  return NdSbp(rank, Placement::broadcast());
}

inline bool hasPartial(const NdSbp &s) {
  for (const Placement &p : s)
    if (p.isPartial())
      return true;
  return false;
}

/// Number of parts dim `d` is divided into (product of the sizes of the axes
/// splitting it), or nullopt on int64 overflow.
inline std::optional<int64_t>
partsOfDim(const NdSbp &s, const std::vector<int64_t> &mesh, int64_t d) {
  int64_t parts = 1;
  for (size_t a = 0; a < s.size() && a < mesh.size(); ++a) {
    if (!s[a].isSplit() || s[a].dim != d)
      continue;
    if (mesh[a] <= 0 || parts > INT64_MAX / mesh[a])
      return std::nullopt;
    parts *= mesh[a];
  }
  return parts;
}

/// The per-device shape of a tensor of `global` shape under `s` over a mesh
/// of `mesh` shape, or nullopt when `s` is not valid for it: a wrong number
/// of placements, a malformed placement, a split dim out of range, or a dim
/// that the splits do not divide evenly.
inline std::optional<std::vector<int64_t>>
localShape(const NdSbp &s, const std::vector<int64_t> &mesh,
           const std::vector<int64_t> &global) {
  if (s.size() != mesh.size())
    return std::nullopt;
  for (const Placement &p : s)
    if (!p.isWellFormed() ||
        (p.isSplit() && p.dim >= static_cast<int64_t>(global.size())))
      return std::nullopt;
  std::vector<int64_t> local(global);
  for (size_t d = 0; d < global.size(); ++d) {
    std::optional<int64_t> parts = partsOfDim(s, mesh, d);
    if (!parts || global[d] % *parts != 0)
      return std::nullopt;
    local[d] = global[d] / *parts;
  }
  return local;
}

inline bool isValidFor(const NdSbp &s, const std::vector<int64_t> &mesh,
                       const std::vector<int64_t> &global) {
  return localShape(s, mesh, global).has_value();
}

/// True when mesh axis `axis` is the innermost (highest-numbered) of the
/// axes splitting dim `d` in `s`, ignoring `axis`'s own placement: a split
/// of `d` over `axis` may then be added or removed by a collective over
/// `axis` alone, because its chunks are contiguous inside the outer axes'
/// chunks.
inline bool isInnermostSplitter(const NdSbp &s, size_t axis, int64_t d) {
  for (size_t a = axis + 1; a < s.size(); ++a)
    if (s[a].isSplit() && s[a].dim == d)
      return false;
  return true;
}

} // namespace weft::sbp

namespace std {
template <> struct hash<weft::sbp::Placement> {
  size_t operator()(const weft::sbp::Placement &p) const {
    return std::hash<int64_t>()(p.dim * 8 + static_cast<int>(p.kind));
  }
};
} // namespace std

#endif // WEFT_ANALYSIS_SBP_H
