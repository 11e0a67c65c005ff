//===- WriteCommArtifact.cpp - a multi-device test artifact for lit -------===//
//
//   weft-comm-artifact OUT.weft N [missing]
//
// Writes a kernel-free plan for N devices (test-only; built with the
// runtime's tests). Input x: f32[N, 8], row d on device d. Outputs, with
// c = 8 / N:
//   sum    f32[8]    all_reduce(sum) of the rows, replicated on every device
//   gath   f32[N, 8] all_gather of the rows, replicated
//   rs     f32[8]    reduce_scatter(sum): device d holds [d*c, (d+1)*c)
//   a2a    f32[N, 8] all_to_all: row d = chunk d of every row, in row order
//   bc     f32[8]    broadcast of row N-1, replicated
//   ring   f32[N, 8] row d = x[(d - 1) mod N], passed by send / recv
// With `missing`, device N-1's program lacks the all_reduce (order 0).
//
//===----------------------------------------------------------------------===//
#include "TestArtifact.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace weft;
using namespace weft::format;
using Shard = test::ArtifactBuilder::Shard;

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: weft-comm-artifact OUT.weft N [missing]\n");
    return 1;
  }
  uint32_t n = uint32_t(std::atoi(argv[2]));
  bool missing = argc > 3 && std::string(argv[3]) == "missing";
  if (n < 2 || 8 % n) {
    std::fprintf(stderr, "N must divide 8 and be at least 2\n");
    return 1;
  }
  int64_t c = 8 / n;
  test::ArtifactBuilder b(n);
  std::vector<Shard> rows, replicated8, replicatedAll, chunks;
  std::vector<uint32_t> group;
  for (uint32_t d = 0; d < n; ++d) {
    rows.push_back({d, {int64_t(d), 0}, {1, 8}});
    replicated8.push_back({d, {0}, {8}});
    replicatedAll.push_back({d, {0, 0}, {int64_t(n), 8}});
    chunks.push_back({d, {int64_t(d) * c}, {c}});
    group.push_back(d);
  }
  auto x = b.shardedInput("x", DType::F32, {int64_t(n), 8}, rows);
  auto sum = b.shardedOutput("sum", DType::F32, {8}, replicated8);
  auto gath =
      b.shardedOutput("gath", DType::F32, {int64_t(n), 8}, replicatedAll);
  auto rs = b.shardedOutput("rs", DType::F32, {8}, chunks);
  auto a2a = b.shardedOutput("a2a", DType::F32, {int64_t(n), 8}, rows);
  auto bc = b.shardedOutput("bc", DType::F32, {8}, replicated8);
  auto ring = b.shardedOutput("ring", DType::F32, {int64_t(n), 8}, rows);
  for (uint32_t d = 0; d < n; ++d) {
    if (!(missing && d == n - 1))
      b.collective(CollectiveKind::AllReduce, DType::F32, 8, 0, group, {x[d]},
                   {sum[d]}, d);
    b.collective(CollectiveKind::AllGather, DType::F32, 8, 1, group, {x[d]},
                 {gath[d]}, d);
    b.collective(CollectiveKind::ReduceScatter, DType::F32, 8, 2, group, {x[d]},
                 {rs[d]}, d);
    b.collective(CollectiveKind::AllToAll, DType::F32, 8, 3, group, {x[d]},
                 {a2a[d]}, d);
    b.collective(CollectiveKind::Broadcast, DType::F32, 8, 4, group, {x[d]},
                 {bc[d]}, d, ReduceKind::Sum, /*root=*/n - 1);
    // A chain: d sends its row to d + 1 at order 10 + d.
    uint32_t next = (d + 1) % n, prev = (d + n - 1) % n;
    if (d == 0) {
      b.transfer(CommandKind::Send, DType::F32, 8, 10, next, x[d], d);
      b.transfer(CommandKind::Recv, DType::F32, 8, 10 + prev, prev, ring[d], d);
    } else {
      b.transfer(CommandKind::Recv, DType::F32, 8, 10 + prev, prev, ring[d], d);
      b.transfer(CommandKind::Send, DType::F32, 8, 10 + d, next, x[d], d);
    }
  }
  std::vector<char> bytes = b.encode();
  rt::Status s = rt::writeFile(argv[1], {{bytes.data(), bytes.size()}});
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message.c_str());
    return 1;
  }
  return 0;
}
