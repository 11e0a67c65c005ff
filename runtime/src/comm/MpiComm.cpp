//===- MpiComm.cpp - one rank per process over MPI ------------------------===//
//
// World rank r runs device r. At load, every rank splits one communicator
// off the world for each distinct group of an entry (MPI_Comm_split, in
// the same order on every rank since all read the same plan); a step only
// issues nonblocking MPI calls on them and polls for completion, so a
// missing or dead peer becomes an error after the collective timeout
// instead of a hang. Errors are returned (MPI_ERRORS_RETURN), never fatal.
// f16 / bf16 reductions convert to f32, reduce, and round once; integer
// sums and products reduce as unsigned (two's complement wrap-around).
// Without MPI (WEFT_HAVE_MPI unset) every MPI request is a clear error.
//
//===----------------------------------------------------------------------===//
#include "Comm.h"
#include "weft/runtime/Runtime.h"

#include <cstdlib>

using namespace weft;
using namespace weft::format;
using namespace weft::rt;
using namespace weft::rt::comm;

#ifndef WEFT_HAVE_MPI

bool rt::comm::mpiBuilt() { return false; }
Status MpiWorld::get(MpiWorld *&out) {
  out = nullptr;
  return Status::error("this runtime was built without MPI");
}
void rt::finalizeMpi() {}
void rt::abortMpi(int) {}

#else

#include "../cpu/Gemm.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#define OMPI_SKIP_MPICXX 1 // the C API only
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#include <thread>

namespace {

bool startedHere = false, finalized = false;

std::string mpiError(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS)
    return "MPI error " + std::to_string(code);
  return std::string(text, size_t(len));
}

/// Polls `request` until it completes, an MPI error, or the timeout.
Status waitFor(MPI_Request &request, const std::string &what) {
  auto deadline = std::chrono::steady_clock::now() + collectiveTimeout();
  for (unsigned spins = 0;; ++spins) {
    int done = 0;
    int rc = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS)
      return Status::error(what + " failed: " + mpiError(rc));
    if (done)
      return {};
    if (std::chrono::steady_clock::now() > deadline)
      return Status::error(
          what + " timed out after " +
          std::to_string(double(collectiveTimeout().count()) / 1000)
              .substr(0, 5) +
          " s waiting for its peers (a rank's plan lacks it, or a rank "
          "failed; WEFT_COLLECTIVE_TIMEOUT_S sets the limit)");
    if (spins > 1000)
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    else
      std::this_thread::yield();
  }
}

Status check(int rc, const std::string &what) {
  if (rc == MPI_SUCCESS)
    return {};
  return Status::error(what + " failed: " + mpiError(rc));
}

/// The MPI type a transfer moves `dtype` as: integers unsigned for sums
/// and products (wrap-around), 16-bit floats as raw 16-bit words.
MPI_Datatype typeOf(DType t, bool arithmetic) {
  switch (t) {
  case DType::F32:
    return MPI_FLOAT;
  case DType::F64:
    return MPI_DOUBLE;
  case DType::F16:
  case DType::BF16:
    return MPI_UINT16_T;
  case DType::I8:
    return arithmetic ? MPI_UINT8_T : MPI_INT8_T;
  case DType::I32:
    return arithmetic ? MPI_UINT32_T : MPI_INT32_T;
  case DType::I64:
    return arithmetic ? MPI_UINT64_T : MPI_INT64_T;
  }
  return MPI_BYTE;
}

MPI_Op opOf(ReduceKind r) {
  switch (r) {
  case ReduceKind::Sum:
    return MPI_SUM;
  case ReduceKind::Max:
    return MPI_MAX;
  case ReduceKind::Min:
    return MPI_MIN;
  case ReduceKind::Prod:
    return MPI_PROD;
  }
  return MPI_SUM;
}

bool halfFloat(DType t) { return t == DType::F16 || t == DType::BF16; }

void widen(DType t, const void *in, float *out, uint64_t n) {
  const uint16_t *h = static_cast<const uint16_t *>(in);
  for (uint64_t i = 0; i < n; ++i)
    out[i] = t == DType::F16 ? cpu::halfToFloat(h[i]) : cpu::bf16ToFloat(h[i]);
}
void narrow(DType t, const float *in, void *out, uint64_t n) {
  uint16_t *h = static_cast<uint16_t *>(out);
  for (uint64_t i = 0; i < n; ++i)
    h[i] = t == DType::F16 ? cpu::floatToHalf(in[i]) : cpu::floatToBf16(in[i]);
}

class MpiCommunicator : public Communicator {
public:
  MpiCommunicator(MPI_Comm p2p,
                  std::vector<std::pair<uint64_t, MPI_Comm>> comms,
                  size_t scratchBytes)
      : p2p(p2p), byOrder(std::move(comms)), scratch(scratchBytes) {}
  ~MpiCommunicator() override {
    if (finalized)
      return;
    for (MPI_Comm c : owned)
      MPI_Comm_free(&c);
  }
  std::vector<MPI_Comm> owned;

  Status run(CommandKind command, const CollectiveDesc &c, const void *input,
             void *output, Stream &) override {
    std::string what = describe(command, c);
    size_t esz = dtypeSize(c.dtype);
    int count = int(c.count);
    MPI_Request req = MPI_REQUEST_NULL;
    if (command == CommandKind::Send) {
      if (Status s = check(MPI_Isend(input, count, typeOf(c.dtype, false),
                                     int(c.peer), 0, p2p, &req),
                           what);
          !s)
        return s;
      return waitFor(req, what);
    }
    if (command == CommandKind::Recv) {
      if (Status s = check(MPI_Irecv(output, count, typeOf(c.dtype, false),
                                     int(c.peer), 0, p2p, &req),
                           what);
          !s)
        return s;
      return waitFor(req, what);
    }
    auto at = std::lower_bound(byOrder.begin(), byOrder.end(), c.order,
                               [](const std::pair<uint64_t, MPI_Comm> &p,
                                  uint64_t o) { return p.first < o; });
    if (at == byOrder.end() || at->first != c.order)
      return Status::error("internal: no MPI communicator for " + what);
    MPI_Comm comm = at->second;
    int n = int(c.group.size()), rank = 0;
    MPI_Comm_rank(comm, &rank);
    size_t inBytes = transferInElements(command, c) * esz;
    size_t outBytes = transferOutElements(command, c) * esz;
    // An input overlapping the output is copied aside first.
    const char *in = static_cast<const char *>(input);
    char *out = static_cast<char *>(output);
    char *spare = scratch.data();
    if (in && c.kind != CollectiveKind::Broadcast && in < out + outBytes &&
        out < in + inBytes) {
      std::memcpy(spare, in, inBytes);
      in = spare;
      spare += inBytes;
    }
    bool reduces = c.kind == CollectiveKind::AllReduce ||
                   c.kind == CollectiveKind::ReduceScatter;
    bool arithmetic = reduces && (c.reduce == ReduceKind::Sum ||
                                  c.reduce == ReduceKind::Prod);
    MPI_Datatype type = typeOf(c.dtype, arithmetic);
    MPI_Op op = opOf(c.reduce);
    int rc = MPI_SUCCESS;
    if (reduces && halfFloat(c.dtype)) {
      // f32 in, f32 out, rounded once at the end.
      float *wideIn = reinterpret_cast<float *>(spare);
      float *wideOut = wideIn + c.count;
      widen(c.dtype, in, wideIn, c.count);
      uint64_t outCount = transferOutElements(command, c);
      if (c.kind == CollectiveKind::AllReduce)
        rc = MPI_Iallreduce(wideIn, wideOut, count, MPI_FLOAT, op, comm, &req);
      else
        rc = MPI_Ireduce_scatter_block(wideIn, wideOut, int(outCount),
                                       MPI_FLOAT, op, comm, &req);
      if (Status s = check(rc, what); !s)
        return s;
      if (Status s = waitFor(req, what); !s)
        return s;
      narrow(c.dtype, wideOut, out, outCount);
      return {};
    }
    switch (c.kind) {
    case CollectiveKind::AllReduce:
      rc = MPI_Iallreduce(in, out, count, type, op, comm, &req);
      break;
    case CollectiveKind::ReduceScatter:
      rc = MPI_Ireduce_scatter_block(in, out, count / n, type, op, comm, &req);
      break;
    case CollectiveKind::AllGather:
      rc = MPI_Iallgather(in, count, type, out, count, type, comm, &req);
      break;
    case CollectiveKind::AllToAll:
      rc = MPI_Ialltoall(in, count / n, type, out, count / n, type, comm, &req);
      break;
    case CollectiveKind::Broadcast:
      if (rank == int(c.root) && in != out)
        std::memmove(out, in, outBytes);
      rc = MPI_Ibcast(out, count, type, int(c.root), comm, &req);
      break;
    }
    if (Status s = check(rc, what); !s)
      return s;
    return waitFor(req, what);
  }

private:
  MPI_Comm p2p;
  std::vector<std::pair<uint64_t, MPI_Comm>> byOrder;
  std::vector<char> scratch;
};

class World : public MpiWorld {
public:
  Status init() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      int provided = 0;
      if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) !=
          MPI_SUCCESS)
        return Status::error("MPI_Init failed");
      startedHere = true;
      std::atexit([] { rt::finalizeMpi(); });
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &worldRank);
    MPI_Comm_size(MPI_COMM_WORLD, &worldSize);
    if (Status s = check(MPI_Comm_dup(MPI_COMM_WORLD, &p2p), "MPI_Comm_dup");
        !s)
      return s;
    if (Status s = check(MPI_Comm_dup(MPI_COMM_WORLD, &io), "MPI_Comm_dup"); !s)
      return s;
    MPI_Comm_set_errhandler(p2p, MPI_ERRORS_RETURN);
    MPI_Comm_set_errhandler(io, MPI_ERRORS_RETURN);
    return {};
  }

  std::unique_ptr<Communicator> communicator(const EntryDesc &entry,
                                             uint32_t device,
                                             Status &status) override {
    // Distinct groups, in one order on every rank.
    std::map<std::vector<uint32_t>, MPI_Comm> groups;
    size_t scratch = 0;
    for (const ProgramDesc &p : entry.programs)
      for (const CommandDesc &c : p.commands) {
        if (c.kind != CommandKind::Collective && c.kind != CommandKind::Send &&
            c.kind != CommandKind::Recv)
          continue;
        const CollectiveDesc &k = c.collective;
        uint64_t in = transferInElements(c.kind, k),
                 out = transferOutElements(c.kind, k);
        if (std::max(in, out) > uint64_t(INT_MAX)) {
          status = Status::error(describe(c.kind, k) + " moves " +
                                 std::to_string(std::max(in, out)) +
                                 " elements, more than one MPI call can");
          return nullptr;
        }
        if (c.kind == CommandKind::Collective && k.group.size() > 1)
          groups.emplace(k.group, MPI_COMM_NULL);
        if (p.device == device)
          scratch = std::max<size_t>(scratch,
                                     in * dtypeSize(k.dtype) + 4 * (in + out));
      }
    std::vector<MPI_Comm> owned;
    for (auto &[group, comm] : groups) {
      auto at = std::find(group.begin(), group.end(), device);
      bool member = at != group.end();
      int rc = MPI_Comm_split(MPI_COMM_WORLD, member ? 0 : MPI_UNDEFINED,
                              int(at - group.begin()), &comm);
      if (rc != MPI_SUCCESS) {
        status = Status::error("MPI_Comm_split failed: " + mpiError(rc));
        return nullptr;
      }
      if (comm != MPI_COMM_NULL) {
        MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
        owned.push_back(comm);
      }
    }
    std::vector<std::pair<uint64_t, MPI_Comm>> byOrder;
    for (const ProgramDesc &p : entry.programs)
      if (p.device == device)
        for (const CommandDesc &c : p.commands)
          if (c.kind == CommandKind::Collective &&
              c.collective.group.size() > 1)
            byOrder.push_back({c.collective.order, groups[c.collective.group]});
    std::sort(byOrder.begin(), byOrder.end());
    auto result =
        std::make_unique<MpiCommunicator>(p2p, std::move(byOrder), scratch);
    result->owned = std::move(owned);
    return result;
  }

  Status send(const void *data, size_t bytes, int to, int tag) override {
    const char *p = static_cast<const char *>(data);
    for (size_t done = 0; done < bytes;) {
      int n = int(std::min<size_t>(bytes - done, size_t(1) << 30));
      MPI_Request req;
      if (Status s = check(MPI_Isend(p + done, n, MPI_BYTE, to, tag, io, &req),
                           "sending an output to rank " + std::to_string(to));
          !s)
        return s;
      if (Status s =
              waitFor(req, "sending an output to rank " + std::to_string(to));
          !s)
        return s;
      done += size_t(n);
    }
    return {};
  }
  Status recv(void *data, size_t bytes, int from, int tag) override {
    char *p = static_cast<char *>(data);
    for (size_t done = 0; done < bytes;) {
      int n = int(std::min<size_t>(bytes - done, size_t(1) << 30));
      MPI_Request req;
      std::string what =
          "gathering an output from rank " + std::to_string(from);
      if (Status s = check(
              MPI_Irecv(p + done, n, MPI_BYTE, from, tag, io, &req), what);
          !s)
        return s;
      if (Status s = waitFor(req, what); !s)
        return s;
      done += size_t(n);
    }
    return {};
  }
  Status broadcast(void *data, size_t bytes, int root) override {
    char *p = static_cast<char *>(data);
    for (size_t done = 0; done < bytes;) {
      int n = int(std::min<size_t>(bytes - done, size_t(1) << 30));
      MPI_Request req;
      if (Status s = check(MPI_Ibcast(p + done, n, MPI_BYTE, root, io, &req),
                           "broadcasting an output");
          !s)
        return s;
      if (Status s = waitFor(req, "broadcasting an output"); !s)
        return s;
      done += size_t(n);
    }
    return {};
  }
  void abortAll(int code) override { MPI_Abort(MPI_COMM_WORLD, code); }

private:
  MPI_Comm p2p = MPI_COMM_NULL, io = MPI_COMM_NULL;
};

World *theWorld = nullptr;

} // namespace

bool rt::comm::mpiBuilt() { return true; }

Status MpiWorld::get(MpiWorld *&out) {
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  if (!theWorld) {
    auto w = std::make_unique<World>();
    if (Status s = w->init(); !s)
      return s;
    theWorld = w.release(); // lives until exit
  }
  out = theWorld;
  return {};
}

void rt::finalizeMpi() {
  if (!startedHere || finalized)
    return;
  int done = 0;
  MPI_Finalized(&done);
  if (!done)
    MPI_Finalize();
  finalized = true;
}

void rt::abortMpi(int code) {
  int initialized = 0, done = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&done);
  if (initialized && !done)
    MPI_Abort(MPI_COMM_WORLD, code);
}

#endif
