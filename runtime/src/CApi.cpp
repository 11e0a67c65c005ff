//===- CApi.cpp - the weft runtime C API ----------------------------------===//
#include "weft/runtime/Runtime.h"
#include "weft/runtime/weft_runtime.h"

using namespace weft::rt;

struct weft_model {
  std::unique_ptr<Model> model;
  Executable *exe;
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
    return fail(std::string("no entry function named '") + entry + "'");
  *out = new weft_model{std::move(model), exe};
  return 0;
}

void weft_model_free(weft_model *m) { delete m; }

size_t weft_num_inputs(const weft_model *m) {
  return m ? m->exe->info().inputs.size() : 0;
}
size_t weft_num_outputs(const weft_model *m) {
  return m ? m->exe->info().outputs.size() : 0;
}

int weft_input_info(const weft_model *m, size_t i, weft_tensor_info *out) {
  if (!m || !out || i >= m->exe->info().inputs.size())
    return fail("weft_input_info: bad model or index");
  fill(m->exe->info().inputs[i], out);
  return 0;
}

int weft_output_info(const weft_model *m, size_t i, weft_tensor_info *out) {
  if (!m || !out || i >= m->exe->info().outputs.size())
    return fail("weft_output_info: bad model or index");
  fill(m->exe->info().outputs[i], out);
  return 0;
}

int weft_set_input(weft_model *m, size_t i, const void *data, size_t bytes) {
  if (!m || !data)
    return fail("weft_set_input: null argument");
  Status s = m->exe->setInput(i, data, bytes);
  return s ? 0 : fail(s.message);
}

int weft_run(weft_model *m) {
  if (!m)
    return fail("weft_run: null model");
  Status s = m->exe->run();
  return s ? 0 : fail(s.message);
}

int weft_get_output(const weft_model *m, size_t i, void *data, size_t bytes) {
  if (!m || !data || i >= m->exe->info().outputs.size())
    return fail("weft_get_output: bad model, index or buffer");
  const TensorInfo &t = m->exe->info().outputs[i];
  if (bytes != t.bytes())
    return fail("output '" + t.name + "' has " + std::to_string(t.bytes()) +
                " bytes, buffer has " + std::to_string(bytes));
  std::memcpy(data, m->exe->output(i), bytes);
  return 0;
}
}
