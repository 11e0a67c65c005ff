// weftc: clear errors, exit code 1.
// RUN: not weftc %s --split-input-file -o %t.weft 2>&1 | FileCheck %s
// RUN: not weftc %s --target=cuda -o %t.weft 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not weftc %s --emit=bogus 2>&1 | FileCheck %s --check-prefix=EMIT
// RUN: not weftc %s --cpu=bogus -o %t.weft 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: weftc: error: unknown CPU 'bogus' (use native, a level x86-64, x86-64-v2, x86-64-v3, x86-64-v4, or an LLVM CPU name such as skylake-avx512)
// RUN: not weftc %S/missing.mlir -o %t.weft 2>&1 | FileCheck %s --check-prefix=MISSING
// TARGET: weftc: error: --target=cuda is not supported yet (supported: cpu)
// EMIT: Cannot find option named 'bogus'
// MISSING: weftc: error: cannot open input file '{{.*}}missing.mlir': No such file or directory
// RUN: not weftc %S/Inputs/unsupported-op.mlir -o %t.weft 2>&1 | FileCheck %s --check-prefix=LOC
// LOC: unsupported-op.mlir:3:8: error: only weft ops are supported in an entry function, got 'arith.mulf'
// LOC-NOT: see current operation

// CHECK: error: weftc: no entry function: mark one with the 'weft.entry' attribute or name it @main
func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// CHECK: error: argument #0 of @main has type 'tensor<?xf32>'; entries take statically shaped f32/f16/bf16/i8/i32/i64/f64 tensors
func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: only weft ops are supported in an entry function, got 'arith.addf'
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: error: custom op 'weft.relu' invalid kind of type specified: expected builtin.tensor, but found 'f32'
  %0 = weft.relu %x : f32
  return %0 : tensor<4xf32>
}

// -----

// An entry that does not end in func.return is an error, not a crash.
// CHECK: error: entry @main must end in func.return
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  llvm.unreachable
}

// -----

// CHECK: error: entry @main must have a single block
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  cf.br ^bb1
^bb1:
  return %x : tensor<4xf32>
}

// -----

// Sizes are overflow-checked: a tensor too large for any memory is an
// error naming it (it used to get a 128-byte arena).
// CHECK: error: 'tensor<4294967296x4294967296xf32>' needs more than 281474976710656 bytes (2^48), the largest tensor supported
func.func @main(%x: tensor<4294967296x4294967296xf32>) -> tensor<4294967296x4294967296xf32> {
  return %x : tensor<4294967296x4294967296xf32>
}

// -----

// Output names must be safe as file names.
// CHECK: error: 'plan.output' op name '../escaped' starts with '.'; names must be safe as file names
func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32> {weft.name = "../escaped"}) {
  %r = weft.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// CHECK: error: 'plan.output' op name 'out/y' contains '/', a backslash or a control character; names must be safe as file names
func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32> {weft.name = "out/y"}) {
  %r = weft.relu %x : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Names must be unique: one --input could otherwise feed two inputs.
// CHECK: error: 'plan.input' op name 'x' is already used by a plan.input; input, output and state names must be unique
func.func @main(%a: tensor<4xf32> {weft.name = "x"}, %b: tensor<4xf32> {weft.name = "x"}) -> tensor<4xf32> {
  %r = weft.add %a, %b : tensor<4xf32>
  return %r : tensor<4xf32>
}
