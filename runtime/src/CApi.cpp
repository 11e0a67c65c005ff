//===- CApi.cpp - the weft runtime C API ----------------------------------===//
//
// The C API binds inputs one by one and reads outputs one by one; the
// model keeps host staging copies of both (allocated at load), and
// weft_run hands them to the thread-safe Executable::call.
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Runtime.h"
#include "weft/runtime/weft_runtime.h"

#include <cstring>

using namespace weft::rt;

struct weft_model {
  std::unique_ptr<Model> model;
  Executable *exe;
  std::vector<std::vector<char>> inputs, outputs;
};

namespace {
thread_local std::string lastError;
int fail(const std::string &m) {
  lastError = m;
  return 1;
}
void fill(const TensorInfo &t, weft_tensor_info *out) {
  out->name = t.name.c_str();
  out->dtype = static_cast<uint32_t>(t.dtype);
  out->rank = static_cast<uint32_t>(t.shape.size());
  out->shape = t.shape.data();
  out->bytes = t.bytes();
}
} // namespace

extern "C" {
const char *weft_last_error(void) { return lastError.c_str(); }

int weft_model_load(const char *path, const char *entry, weft_model **out) {
  if (!path || !out)
    return fail("weft_model_load: null argument");
  Status s;
  auto model = Model::load(path, s);
  if (!model)
    return fail(s.message);
  Executable *exe = model->executable(entry ? entry : "");
  if (!exe)
    return fail(std::string("no entry function named '") +
                (entry ? entry : "") + "'");
  auto *m = new weft_model{std::move(model), exe, {}, {}};
  for (const TensorInfo &t : exe->inputs())
    m->inputs.emplace_back(t.bytes());
  for (const TensorInfo &t : exe->outputs())
    m->outputs.emplace_back(t.bytes());
  *out = m;
  return 0;
}

void weft_model_free(weft_model *m) { delete m; }

size_t weft_num_inputs(const weft_model *m) {
  return m ? m->exe->inputs().size() : 0;
}
size_t weft_num_outputs(const weft_model *m) {
  return m ? m->exe->outputs().size() : 0;
}

int weft_input_info(const weft_model *m, size_t i, weft_tensor_info *out) {
  if (!m || !out || i >= m->exe->inputs().size())
    return fail("weft_input_info: bad model or index");
  fill(m->exe->inputs()[i], out);
  return 0;
}

int weft_output_info(const weft_model *m, size_t i, weft_tensor_info *out) {
  if (!m || !out || i >= m->exe->outputs().size())
    return fail("weft_output_info: bad model or index");
  fill(m->exe->outputs()[i], out);
  return 0;
}

int weft_set_input(weft_model *m, size_t i, const void *data, size_t bytes) {
  if (!m || !data || i >= m->inputs.size())
    return fail("weft_set_input: bad model, data or index");
  if (bytes != m->inputs[i].size())
    return fail("input '" + m->exe->inputs()[i].name + "' takes " +
                std::to_string(m->inputs[i].size()) + " bytes, got " +
                std::to_string(bytes));
  std::memcpy(m->inputs[i].data(), data, bytes);
  return 0;
}

int weft_run(weft_model *m) {
  if (!m)
    return fail("weft_run: null model");
  std::vector<const void *> in;
  std::vector<void *> out;
  for (auto &b : m->inputs)
    in.push_back(b.data());
  for (auto &b : m->outputs)
    out.push_back(b.data());
  Status s = m->exe->call(in, out);
  return s ? 0 : fail(s.message);
}

int weft_get_output(const weft_model *m, size_t i, void *data, size_t bytes) {
  if (!m || !data || i >= m->outputs.size())
    return fail("weft_get_output: bad model, data or index");
  if (bytes != m->outputs[i].size())
    return fail("output '" + m->exe->outputs()[i].name + "' has " +
                std::to_string(m->outputs[i].size()) + " bytes, not " +
                std::to_string(bytes));
  std::memcpy(data, m->outputs[i].data(), bytes);
  return 0;
}
}
