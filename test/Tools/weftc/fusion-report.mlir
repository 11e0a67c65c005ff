// The fusion policy's effect on whole models, as weftc reports it: kernel
// launches and the bytes of intermediates written by one command and read
// by another (each access counted), fused (default) vs --no-fuse.
// The input is bench/cpu_models.py's transformer block (B=8, S=128, H=512,
// 8 heads, F=2048; generated with transformer_model(np.random.default_rng(0))),
// whose GEMMs are BLAS calls for an AVX2 target (x86-64-v3). The second model, Inputs/rms-block.mlir, is a
// residual add + rms_norm + GEMM + bias + SiLU written as sigmoid and mul.
// RUN: weftc %s --cpu=x86-64-v3 --report=- -o %t.fused.weft -q | FileCheck %s --check-prefix=FUSED
// RUN: weftc %s --cpu=x86-64-v4 --report=- -o %t.gen.weft -q | FileCheck %s --check-prefix=GENERATED
// RUN: weftc %s --cpu=x86-64-v3 --no-fuse --report=- -o %t.unfused.weft -q | FileCheck %s --check-prefix=UNFUSED
// RUN: weftc %S/Inputs/rms-block.mlir --cpu=x86-64-v3 --report=- -o %t.rms.weft -q | FileCheck %s --check-prefix=RMS
// RUN: weftc %S/Inputs/rms-block.mlir --cpu=x86-64-v3 --no-fuse --report=- -o %t.rms-unfused.weft -q | FileCheck %s --check-prefix=RMS-UNFUSED

// With AVX-512 (x86-64-v4) GEMMs are generated (weft-select-library-calls'
// measured rule) and take their epilogues: the bias + GELU and the bias add
// run inside the GEMM's tiles, the scores' scale inside the QK^T product;
// 88-92 MB instead of 113 MB go between commands. Every launch is parallel.
// GENERATED:      "bytes_between_commands": 92274688,
// GENERATED:      "what": "weft.batch_matmul+weft.mul"
// GENERATED:      "extent": 176,
// GENERATED-NEXT: "kind": "launch",
// GENERATED-NEXT: "stream": 0,
// GENERATED-NEXT: "what": "weft.matmul+weft.add+weft.gelu"
// GENERATED:      "what": "weft.matmul+weft.add"
// GENERATED-NOT:  "gemm"
// GENERATED-NOT:  "extent": 1,
// GENERATED:      "kernel_launches": 16,

// Fused: 10 launches (from 13) and 113246208 bytes between commands (from
// 140509184: the attention scores' scale, the MLP's bias sum and one read of
// the residual sum no longer go through memory). The first layer_norm reads
// the input directly; the scale mul joins the softmax; the residual add
// joins the second layer_norm (and the sum is also yielded for the last
// residual); the bias add joins the GELU. Every launch is split over 64
// tiles. (The last bias add and residual add stay two launches: a reshape
// sits between them.)
// FUSED:        "bytes_between_commands": 113246208,
// FUSED:        "extent": 64,
// FUSED-NEXT:   "kind": "launch",
// FUSED-NEXT:   "stream": 0,
// FUSED-NEXT:   "what": "weft.layer_norm"
// FUSED:        "what": "weft.batch_matmul (gemm)"
// FUSED:        "extent": 64,
// FUSED-NEXT:   "kind": "launch",
// FUSED-NEXT:   "stream": 0,
// FUSED-NEXT:   "what": "weft.mul+weft.softmax"
// FUSED:        "what": "weft.batch_matmul (gemm)"
// FUSED:        "what": "weft.transpose"
// FUSED:        "what": "weft.matmul (gemm)"
// FUSED:        "extent": 64,
// FUSED-NEXT:   "kind": "launch",
// FUSED-NEXT:   "stream": 0,
// FUSED-NEXT:   "what": "weft.add+weft.layer_norm"
// FUSED:        "what": "weft.matmul (gemm)"
// FUSED:        "extent": 64,
// FUSED-NEXT:   "kind": "launch",
// FUSED-NEXT:   "stream": 0,
// FUSED-NEXT:   "what": "weft.add+weft.gelu"
// FUSED:        "what": "weft.matmul (gemm)"
// FUSED:        "kernel_launches": 10,
// FUSED-NOT:    "what": "weft.softmax"
// FUSED-NOT:    "what": "weft.gelu"

// Unfused: one launch per op.
// UNFUSED:      "bytes_between_commands": 140509184,
// UNFUSED:      "what": "weft.layer_norm"
// UNFUSED:      "what": "weft.mul"
// UNFUSED:      "what": "weft.softmax"
// UNFUSED:      "what": "weft.add"
// UNFUSED:      "what": "weft.layer_norm"
// UNFUSED:      "what": "weft.add"
// UNFUSED:      "what": "weft.gelu"
// UNFUSED:      "kernel_launches": 13,

// rms block fused: two launches, only the normalized rows and the GEMM's
// result go through memory (2 x 64 KiB each).
// RMS:          "bytes_between_commands": 262144,
// RMS:          "extent": 8,
// RMS-NEXT:     "kind": "launch",
// RMS-NEXT:     "stream": 0,
// RMS-NEXT:     "what": "weft.add+weft.rms_norm"
// RMS:          "what": "weft.matmul (gemm)"
// RMS:          "what": "weft.add+weft.sigmoid+weft.mul"
// RMS:          "kernel_launches": 2,
// RMS-UNFUSED:  "bytes_between_commands": 720896,
// RMS-UNFUSED:  "what": "weft.add"
// RMS-UNFUSED:  "what": "weft.rms_norm"
// RMS-UNFUSED:  "what": "weft.matmul (gemm)"
// RMS-UNFUSED:  "what": "weft.add"
// RMS-UNFUSED:  "what": "weft.sigmoid"
// RMS-UNFUSED:  "what": "weft.mul"
// RMS-UNFUSED:  "kernel_launches": 5,

func.func @main(%x: tensor<8x128x512xf32> {weft.name = "x"}, %g1: tensor<512xf32> {weft.name = "g1"}, %g2: tensor<512xf32> {weft.name = "g2"}, %be1: tensor<512xf32> {weft.name = "be1"}, %be2: tensor<512xf32> {weft.name = "be2"}, %wq: tensor<512x512xf32> {weft.name = "wq"}, %wk: tensor<512x512xf32> {weft.name = "wk"}, %wv: tensor<512x512xf32> {weft.name = "wv"}, %wo: tensor<512x512xf32> {weft.name = "wo"}, %w1: tensor<512x2048xf32> {weft.name = "w1"}, %c1: tensor<2048xf32> {weft.name = "c1"}, %w2: tensor<2048x512xf32> {weft.name = "w2"}, %c2: tensor<512xf32> {weft.name = "c2"}) -> tensor<8x128x512xf32> {
  %h = weft.layer_norm %x, %g1, %be1 : tensor<8x128x512xf32>, tensor<512xf32>
  %h2 = weft.reshape %h : tensor<8x128x512xf32> -> tensor<1024x512xf32>
  %q = weft.matmul %h2, %wq : tensor<1024x512xf32>, tensor<512x512xf32> -> tensor<1024x512xf32>
  %q4 = weft.reshape %q : tensor<1024x512xf32> -> tensor<8x128x8x64xf32>
  %qh = weft.transpose %q4 perm = [0, 2, 1, 3] : tensor<8x128x8x64xf32> -> tensor<8x8x128x64xf32>
  %k = weft.matmul %h2, %wk : tensor<1024x512xf32>, tensor<512x512xf32> -> tensor<1024x512xf32>
  %k4 = weft.reshape %k : tensor<1024x512xf32> -> tensor<8x128x8x64xf32>
  %kh = weft.transpose %k4 perm = [0, 2, 1, 3] : tensor<8x128x8x64xf32> -> tensor<8x8x128x64xf32>
  %v = weft.matmul %h2, %wv : tensor<1024x512xf32>, tensor<512x512xf32> -> tensor<1024x512xf32>
  %v4 = weft.reshape %v : tensor<1024x512xf32> -> tensor<8x128x8x64xf32>
  %vh = weft.transpose %v4 perm = [0, 2, 1, 3] : tensor<8x128x8x64xf32> -> tensor<8x8x128x64xf32>
  %s = weft.batch_matmul %qh, %kh {transpose_rhs} : tensor<8x8x128x64xf32>, tensor<8x8x128x64xf32> -> tensor<8x8x128x128xf32>
  %sc = weft.constant dense<0.125> : tensor<f32>
  %ss = weft.mul %s, %sc : tensor<8x8x128x128xf32>, tensor<f32>
  %p = weft.softmax %ss axis = 3 : tensor<8x8x128x128xf32>
  %o = weft.batch_matmul %p, %vh : tensor<8x8x128x128xf32>, tensor<8x8x128x64xf32> -> tensor<8x8x128x64xf32>
  %ot = weft.transpose %o perm = [0, 2, 1, 3] : tensor<8x8x128x64xf32> -> tensor<8x128x8x64xf32>
  %o2 = weft.reshape %ot : tensor<8x128x8x64xf32> -> tensor<1024x512xf32>
  %pr = weft.matmul %o2, %wo : tensor<1024x512xf32>, tensor<512x512xf32> -> tensor<1024x512xf32>
  %pr3 = weft.reshape %pr : tensor<1024x512xf32> -> tensor<8x128x512xf32>
  %x1 = weft.add %x, %pr3 : tensor<8x128x512xf32>
  %m = weft.layer_norm %x1, %g2, %be2 : tensor<8x128x512xf32>, tensor<512xf32>
  %m2 = weft.reshape %m : tensor<8x128x512xf32> -> tensor<1024x512xf32>
  %u = weft.matmul %m2, %w1 : tensor<1024x512xf32>, tensor<512x2048xf32> -> tensor<1024x2048xf32>
  %ub = weft.add %u, %c1 : tensor<1024x2048xf32>, tensor<2048xf32>
  %gl = weft.gelu %ub {approximate} : tensor<1024x2048xf32>
  %d = weft.matmul %gl, %w2 : tensor<1024x2048xf32>, tensor<2048x512xf32> -> tensor<1024x512xf32>
  %db = weft.add %d, %c2 : tensor<1024x512xf32>, tensor<512xf32>
  %d3 = weft.reshape %db : tensor<1024x512xf32> -> tensor<8x128x512xf32>
  %y = weft.add %x1, %d3 : tensor<8x128x512xf32>
  return %y : tensor<8x128x512xf32>
}

