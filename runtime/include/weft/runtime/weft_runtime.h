/*===- weft_runtime.h - the weft runtime C API ------------------*- C -*-===*\
|*                                                                          *|
|* Load an artifact, inspect inputs/outputs, bind inputs, run, read       *|
|* outputs. Every call returns 0 on success, or non-zero with a message  *|
|* available from weft_last_error() (per thread).                         *|
\*===----------------------------------------------------------------------===*/
#ifndef WEFT_RUNTIME_C_H
#define WEFT_RUNTIME_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct weft_model weft_model;

/* dtype codes as in the artifact: 0 f32, 1 f16, 2 bf16, 3 i8, 4 i32, 5 i64,
   6 f64. */
typedef struct {
  const char *name;
  uint32_t dtype;
  uint32_t rank;
  const int64_t *shape;
  size_t bytes;
} weft_tensor_info;

const char *weft_last_error(void);
/* Loads `path`; `entry` may be NULL for the first entry function. */
int weft_model_load(const char *path, const char *entry, weft_model **out);
void weft_model_free(weft_model *model);
size_t weft_num_inputs(const weft_model *model);
size_t weft_num_outputs(const weft_model *model);
int weft_input_info(const weft_model *model, size_t i, weft_tensor_info *out);
int weft_output_info(const weft_model *model, size_t i, weft_tensor_info *out);
int weft_set_input(weft_model *model, size_t i, const void *data, size_t bytes);
int weft_run(weft_model *model);
/* Copies output `i` (exactly its byte size) into `data`. */
int weft_get_output(const weft_model *model, size_t i, void *data,
                    size_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* WEFT_RUNTIME_C_H */
