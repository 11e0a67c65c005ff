//===- weft-run.cpp - run a weft artifact ---------------------------------===//
//
//   weft-run model.weft --input NAME=x.npy ... [--output-dir DIR]
//            [--entry NAME] [--repeat N] [--trace t.json] [--list]
//
// Inputs and outputs are .npy files; every mismatch (missing or unknown
// input, wrong dtype or shape, corrupt artifact) is an error message and
// exit code 1.
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Npy.h"
#include "weft/runtime/Runtime.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sys/stat.h>

using namespace weft;
using namespace weft::rt;

namespace {
const char *kUsage =
    "usage: weft-run MODEL.weft [options]\n"
    "  --input NAME=FILE.npy   bind an input (repeat for each input)\n"
    "  --output-dir DIR        write each output as DIR/NAME.npy\n"
    "  --entry NAME            entry function to run (default: the first)\n"
    "  --repeat N              run N times; print the median time per run\n"
    "  --trace FILE.json       Chrome/Perfetto trace of the last run\n"
    "  --list                  print entries, inputs and outputs, then exit\n"
    "  -h, --help              this text\n";

int error(const std::string &msg) {
  std::fprintf(stderr, "weft-run: error: %s\n", msg.c_str());
  return 1;
}

void list(const ArtifactInfo &a) {
  for (const EntryInfo &e : a.entries) {
    std::printf("entry %s: %zu commands, arena %llu bytes\n", e.name.c_str(),
                e.commands.size(), (unsigned long long)e.arenaSize);
    for (const TensorInfo &t : e.inputs)
      std::printf("  input  %s : %s\n", t.name.c_str(), t.typeString().c_str());
    for (const TensorInfo &t : e.outputs)
      std::printf("  output %s : %s\n", t.name.c_str(), t.typeString().c_str());
  }
}
} // namespace

int main(int argc, char **argv) {
  std::string model, outDir, entry, tracePath;
  std::map<std::string, std::string> inputs;
  long repeat = 1;
  bool listOnly = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *flag) -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "weft-run: error: %s needs a value\n", flag);
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--input") {
      std::string kv = value("--input");
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        return error("--input expects NAME=FILE.npy, got '" + kv + "'");
      if (!inputs.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second)
        return error("input '" + kv.substr(0, eq) + "' given twice");
    } else if (a == "--output-dir") {
      outDir = value("--output-dir");
    } else if (a == "--entry") {
      entry = value("--entry");
    } else if (a == "--trace") {
      tracePath = value("--trace");
    } else if (a == "--repeat") {
      std::string v = value("--repeat");
      char *end = nullptr;
      repeat = std::strtol(v.c_str(), &end, 10);
      if (!end || *end || repeat < 1 || repeat > 1000000)
        return error("--repeat expects a count from 1 to 1000000, got '" + v +
                     "'");
    } else if (a == "--list") {
      listOnly = true;
    } else if (!a.empty() && a[0] == '-') {
      return error("unknown option '" + a + "'\n" + kUsage);
    } else if (model.empty()) {
      model = a;
    } else {
      return error("more than one model given ('" + model + "', '" + a + "')");
    }
  }
  if (model.empty())
    return error(std::string("no model given\n") + kUsage);

  Status s;
  std::unique_ptr<Model> m = Model::load(model, s);
  if (!m)
    return error(model + ": " + s.message);
  if (listOnly) {
    list(m->info());
    return 0;
  }
  Executable *exe = m->executable(entry);
  if (!exe)
    return error("no entry function named '" + entry + "'");
  const EntryInfo &info = exe->info();

  // Inputs: every one bound exactly once, with the right dtype and shape.
  for (const auto &[name, path] : inputs) {
    bool known =
        std::any_of(info.inputs.begin(), info.inputs.end(),
                    [&](const TensorInfo &t) { return t.name == name; });
    if (!known) {
      std::string names;
      for (const TensorInfo &t : info.inputs)
        names += " " + t.name;
      return error("entry '" + info.name + "' has no input '" + name +
                   "' (inputs:" + names + ")");
    }
  }
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    const TensorInfo &t = info.inputs[i];
    auto it = inputs.find(t.name);
    if (it == inputs.end())
      return error("missing input '" + t.name + "' (" + t.typeString() +
                   "): pass --input " + t.name + "=FILE.npy");
    NpyArray arr;
    if (Status r = readNpy(it->second, arr); !r)
      return error(r.message);
    TensorInfo got{t.name, arr.dtype, arr.shape, 0};
    if (arr.dtype != t.dtype || arr.shape != t.shape)
      return error("input '" + t.name + "' expects " + t.typeString() +
                   ", got " + got.typeString() + " from " + it->second);
    if (Status r = exe->setInput(i, arr.data.data(), arr.data.size()); !r)
      return error(r.message);
  }

  std::vector<double> times;
  for (long r = 0; r < repeat; ++r) {
    exe->enableTrace(!tracePath.empty() && r == repeat - 1);
    auto t0 = std::chrono::steady_clock::now();
    if (Status rs = exe->run(); !rs)
      return error(rs.message);
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - t0)
                        .count());
  }
  if (repeat > 1) {
    std::sort(times.begin(), times.end());
    std::printf("median %.4f ms per run over %ld runs (min %.4f, max %.4f)\n",
                times[times.size() / 2], repeat, times.front(), times.back());
  }

  if (!tracePath.empty()) {
    std::ofstream tr(tracePath);
    if (!tr)
      return error("cannot write '" + tracePath + "'");
    tr << "{\"traceEvents\": [\n";
    const auto &ev = exe->trace();
    double base = ev.empty() ? 0 : ev.front().startUs;
    for (size_t i = 0; i < ev.size(); ++i)
      tr << "  {\"name\": \"" << ev[i].label
         << "\", \"cat\": \"kernel\", \"ph\": \"X\", \"pid\": 0, \"tid\": 0, "
            "\"ts\": "
         << ev[i].startUs - base << ", \"dur\": " << ev[i].durUs << "}"
         << (i + 1 < ev.size() ? ",\n" : "\n");
    tr << "], \"displayTimeUnit\": \"ms\"}\n";
  }

  if (outDir.empty()) {
    // No files asked for: show each output briefly.
    for (size_t i = 0; i < info.outputs.size(); ++i) {
      const TensorInfo &t = info.outputs[i];
      std::printf("output %s : %s", t.name.c_str(), t.typeString().c_str());
      size_t n = t.bytes() / format::dtypeSize(t.dtype);
      auto at = [&](size_t j) -> double {
        const char *p = static_cast<const char *>(exe->output(i));
        switch (t.dtype) {
        case format::DType::F32:
          return reinterpret_cast<const float *>(p)[j];
        case format::DType::I8:
          return reinterpret_cast<const int8_t *>(p)[j];
        case format::DType::I32:
          return reinterpret_cast<const int32_t *>(p)[j];
        case format::DType::I64:
          return double(reinterpret_cast<const int64_t *>(p)[j]);
        default:
          return 0.0; // f16/bf16: use --output-dir
        }
      };
      bool printable =
          t.dtype != format::DType::F16 && t.dtype != format::DType::BF16;
      if (printable && n > 0) {
        double lo = at(0), hi = at(0), sum = 0;
        for (size_t j = 0; j < n; ++j) {
          lo = std::min(lo, at(j));
          hi = std::max(hi, at(j));
          sum += at(j);
        }
        std::printf("  min %g  max %g  mean %g  first [", lo, hi, sum / n);
        for (size_t j = 0; j < std::min<size_t>(n, 4); ++j)
          std::printf(j ? ", %g" : "%g", at(j));
        std::printf(n > 4 ? ", ...]" : "]");
      }
      std::printf("\n");
    }
  } else {
    mkdir(outDir.c_str(), 0755);
    for (size_t i = 0; i < info.outputs.size(); ++i) {
      const TensorInfo &t = info.outputs[i];
      std::string path = outDir + "/" + t.name + ".npy";
      if (Status w = writeNpy(path, t.dtype, t.shape, exe->output(i)); !w)
        return error(w.message);
      std::printf("wrote %s (%s)\n", path.c_str(), t.typeString().c_str());
    }
  }
  return 0;
}
