//===- Passes.td - artifact serialization -------------------*- tablegen -*-===//
#ifndef WEFT_TARGET_PASSES_TD
#define WEFT_TARGET_PASSES_TD

include "mlir/Pass/PassBase.td"

def SerializePass : Pass<"plan-serialize", "::mlir::ModuleOp"> {
  let summary = "Write the artifact of a fully lowered module";
  let description = [{
    The last step of a pipeline: the module's `plan.program`s and its lowered
    `@weft_kernels` module become artifact bytes (format version 2, the one
    writer of `weft/runtime/Format.h`), written to `output`. The backend
    (`cpu`) links the kernel object and records the CPU features it needs.
    The IR is not changed. weftc calls the same serializer directly.

    ```
    weft-opt model.mlir --weft-cpu-pipeline --plan-serialize=output=model.weft
    ```
  }];
  let options = [
    Option<"output", "output", "std::string", /*default=*/"\"a.weft\"",
           "File to write the artifact to">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"native\"",
           "CPU the kernels are built for (as weftc --cpu)">,
  ];
}

#endif // WEFT_TARGET_PASSES_TD
