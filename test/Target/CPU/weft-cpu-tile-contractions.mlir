// Block sizes pinned (the defaults are tuned and may change):
// RUN: weft-opt %s --split-input-file --weft-cpu-tile-contractions="mr=8 nr=32 kc=256 mc=64 nc=256" | FileCheck %s
// The defaults give 6x64 register tiles (24 accumulators):
// RUN: weft-opt %s --split-input-file --weft-cpu-tile-contractions | FileCheck %s --check-prefix=DEFAULT

// An f32 matmul becomes a forall over 64x256 output panels; per K-block of
// 256 the B block is packed into 8 strips of 256x32 and 8x32 register tiles
// accumulate in 16 vector<16xf32> through the k loop.
// CHECK-LABEL: func.func @matmul_f32
// CHECK-SAME:    (%[[A:[^:]*]]: tensor<128x300xf32>, %[[B:[^:]*]]: tensor<300x512xf32>, %[[C:[^:]*]]: tensor<128x512xf32>)
// CHECK:         %[[R:.*]] = scf.forall (%[[I:.*]], %[[J:.*]]) in (2, 2) shared_outs(%[[O:.*]] = %[[C]])
// CHECK:           %[[T:.*]] = tensor.extract_slice %[[O]][{{.*}}] [64, 256] [1, 1] : tensor<128x512xf32> to tensor<64x256xf32>
// CHECK:           %[[K:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[T]]) -> (tensor<64x256xf32>)
// CHECK:             tensor.empty() : tensor<8x256x32xf32>
// CHECK:             vector.transfer_read %[[B]]{{.*}} : tensor<300x512xf32>, vector<16xf32>
// CHECK:             scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:               tensor.extract %[[A]]
// CHECK:               vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK-COUNT-16:      vector.fma
// CHECK:           scf.forall.in_parallel
// CHECK-NEXT:        tensor.parallel_insert_slice %[[K]] into %[[O]]
// CHECK:         return %[[R]]
// CHECK-NOT:     linalg.matmul
// DEFAULT-LABEL: func.func @matmul_f32
// DEFAULT:         scf.forall ({{.*}}) in (2, 4)
// DEFAULT:           tensor.empty() : tensor<2x256x64xf32>
// DEFAULT:           vector.broadcast
// DEFAULT-COUNT-4:   vector.fma
// DEFAULT:           vector.broadcast
// DEFAULT-COUNT-4:   vector.fma
func.func @matmul_f32(%a: tensor<128x300xf32>, %b: tensor<300x512xf32>, %c: tensor<128x512xf32>) -> tensor<128x512xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<128x300xf32>, tensor<300x512xf32>) outs(%c : tensor<128x512xf32>) -> tensor<128x512xf32>
  return %r : tensor<128x512xf32>
}

// -----

// The generic form weft-to-linalg emits: f16 operands extended to f32 in
// the body, the rhs stored transposed ([N, K]), one batch dim. The forall
// runs over the batch (the single M and N panels fold away); edge tiles are
// dynamic. B is packed in 16x16 blocks: 16 rows read along k (k rounded up
// to 80), converted, transposed with shuffles.
// CHECK-LABEL: func.func @batch_f16_rhs_transposed
// CHECK-SAME:    (%[[A:[^:]*]]: tensor<3x33x65xf16>, %[[B:[^:]*]]: tensor<3x17x65xf16>
// CHECK:         scf.forall (%[[BI:.*]]) in (3)
// CHECK:           tensor.extract_slice {{.*}} to tensor<1x?x?xf32>
// CHECK:           tensor.empty() : tensor<1x80x32xf32>
// CHECK:           %[[V:.*]] = vector.transfer_read %[[B]][%[[BI]], {{.*}} : tensor<3x17x65xf16>, vector<16xf16>
// CHECK-NEXT:      arith.extf %[[V]] : vector<16xf16> to vector<16xf32>
// CHECK-NOT:       vector.transpose
// CHECK:           vector.shuffle
// CHECK:           %[[X:.*]] = tensor.extract %[[A]][%[[BI]], {{.*}}] : tensor<3x33x65xf16>
// CHECK:           %[[XE:.*]] = arith.extf %[[X]] : f16 to f32
// CHECK:           vector.broadcast %[[XE]] : f32 to vector<16xf32>
// CHECK:           vector.fma
// CHECK-NOT:     linalg.generic
#lhs = affine_map<(b, m, n, k) -> (b, m, k)>
#rhs = affine_map<(b, m, n, k) -> (b, n, k)>
#out = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @batch_f16_rhs_transposed(%a: tensor<3x33x65xf16>, %b: tensor<3x17x65xf16>, %c: tensor<3x33x17xf32>) -> tensor<3x33x17xf32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<3x33x65xf16>, tensor<3x17x65xf16>) outs(%c : tensor<3x33x17xf32>) {
  ^bb0(%x: f16, %y: f16, %acc: f32):
    %xe = arith.extf %x : f16 to f32
    %ye = arith.extf %y : f16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x33x17xf32>
  return %r : tensor<3x33x17xf32>
}

// -----

// The lhs stored transposed ([K, M], bf16): its K-block is copied and
// converted into a contiguous tensor<kc x mc> that the broadcasts read.
// CHECK-LABEL: func.func @lhs_transposed_bf16
// CHECK-SAME:    (%[[A:[^:]*]]: tensor<40x130xbf16>
// CHECK:         scf.forall
// CHECK:           tensor.empty() : tensor<40x64xf32>
// CHECK:           %[[V:.*]] = vector.transfer_read %[[A]]{{.*}} : tensor<40x130xbf16>, vector<16xbf16>
// CHECK-NEXT:      arith.extf %[[V]] : vector<16xbf16> to vector<16xf32>
// CHECK:           %[[X:.*]] = tensor.extract %{{.*}} : tensor<40x64xf32>
// CHECK-NEXT:      vector.broadcast %[[X]] : f32 to vector<16xf32>
// CHECK:           vector.fma
// CHECK-NOT:     linalg.generic
#lhs = affine_map<(m, n, k) -> (k, m)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @lhs_transposed_bf16(%a: tensor<40x130xbf16>, %b: tensor<40x20xbf16>, %c: tensor<130x20xf32>) -> tensor<130x20xf32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<40x130xbf16>, tensor<40x20xbf16>) outs(%c : tensor<130x20xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<130x20xf32>
  return %r : tensor<130x20xf32>
}

// -----

// i8 operands accumulate in i32: multiply-adds on vector<16xi32>.
// CHECK-LABEL: func.func @matmul_i8
// CHECK:         scf.forall
// CHECK:           arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK:           arith.extsi %{{.*}} : i8 to i32
// CHECK:           %[[P:.*]] = arith.muli %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-NEXT:      arith.addi %{{.*}}, %[[P]] : vector<16xi32>
// CHECK-NOT:     linalg.generic
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @matmul_i8(%a: tensor<130x40xi8>, %b: tensor<40x20xi8>, %c: tensor<130x20xi32>) -> tensor<130x20xi32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<130x40xi8>, tensor<40x20xi8>) outs(%c : tensor<130x20xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<130x20xi32>
  return %r : tensor<130x20xi32>
}

// -----

// The zero fill of the accumulator and the elementwise epilogues (bias +
// relu, then the conversion to f16) join the tiles: one forall writes the
// f16 result, the f32 intermediates are per-tile temporaries.
// CHECK-LABEL: func.func @fill_matmul_bias_relu_f16
// CHECK-SAME:    (%{{[^:]*}}: tensor<128x300xf32>, %{{[^:]*}}: tensor<300x512xf32>, %[[BIAS:[^:]*]]: tensor<512xf32>)
// CHECK-NOT:     linalg.fill
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<128x512xf16>
// CHECK:         %[[R:.*]] = scf.forall {{.*}} in (2, 2) shared_outs(%[[O:.*]] = %[[E]]) -> (tensor<128x512xf16>)
// CHECK:           %[[T:.*]] = tensor.empty() : tensor<64x256xf32>
// CHECK:           %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[T]] : tensor<64x256xf32>)
// CHECK:           %[[K:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[F]])
// CHECK:             vector.fma
// CHECK:           %[[BS:.*]] = tensor.extract_slice %[[BIAS]]
// CHECK:           %[[G:.*]] = linalg.generic {{.*}} ins(%[[K]], %[[BS]] : tensor<64x256xf32>, tensor<256xf32>)
// CHECK:             arith.maximumf
// CHECK:           %[[H:.*]] = linalg.generic {{.*}} ins(%[[G]] : tensor<64x256xf32>)
// CHECK:             arith.truncf
// CHECK:           tensor.parallel_insert_slice %[[H]] into %[[O]]
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[R]] : tensor<128x512xf16>
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (j)>
func.func @fill_matmul_bias_relu_f16(%a: tensor<128x300xf32>, %b: tensor<300x512xf32>, %bias: tensor<512xf32>) -> tensor<128x512xf16> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x512xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<128x512xf32>) -> tensor<128x512xf32>
  %c = linalg.matmul ins(%a, %b : tensor<128x300xf32>, tensor<300x512xf32>) outs(%f : tensor<128x512xf32>) -> tensor<128x512xf32>
  %e2 = tensor.empty() : tensor<128x512xf32>
  %d = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]} ins(%c, %bias : tensor<128x512xf32>, tensor<512xf32>) outs(%e2 : tensor<128x512xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %r = arith.maximumf %s, %z : f32
    linalg.yield %r : f32
  } -> tensor<128x512xf32>
  %e3 = tensor.empty() : tensor<128x512xf16>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%d : tensor<128x512xf32>) outs(%e3 : tensor<128x512xf16>) {
  ^bb0(%x: f32, %o: f16):
    %t = arith.truncf %x : f32 to f16
    linalg.yield %t : f16
  } -> tensor<128x512xf16>
  return %h : tensor<128x512xf16>
}

// -----

// Few rows (at most two register tiles): no packing, the tiles read B in
// place, and the register tile has only as many rows as the product.
// CHECK-LABEL: func.func @few_rows
// CHECK-SAME:    (%{{[^:]*}}: tensor<3x300xf32>, %[[B:[^:]*]]: tensor<300x512xf32>
// CHECK:         scf.forall
// CHECK-NOT:       tensor.empty
// CHECK:           scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK:             vector.transfer_read %[[B]]{{.*}} : tensor<300x512xf32>, vector<16xf32>
// CHECK-COUNT-6:     vector.fma
// CHECK-NOT:         vector.fma
// CHECK:             scf.yield
func.func @few_rows(%a: tensor<3x300xf32>, %b: tensor<300x512xf32>, %c: tensor<3x512xf32>) -> tensor<3x512xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<3x300xf32>, tensor<300x512xf32>) outs(%c : tensor<3x512xf32>) -> tensor<3x512xf32>
  return %r : tensor<3x512xf32>
}

// -----

// A contraction reading another one's result: both become foralls, the
// second reading the first's.
// CHECK-LABEL: func.func @chained_matmuls
// CHECK:         %[[F1:.*]] = scf.forall
// CHECK:         scf.forall {{.*}}
// CHECK:           tensor.extract %[[F1]]
// CHECK-NOT:     linalg.matmul
func.func @chained_matmuls(%a: tensor<100x70xf32>, %b: tensor<70x90xf32>, %w: tensor<90x30xf32>, %e: tensor<100x90xf32>, %e3: tensor<100x30xf32>) -> tensor<100x30xf32> {
  %c = linalg.matmul ins(%a, %b : tensor<100x70xf32>, tensor<70x90xf32>) outs(%e : tensor<100x90xf32>) -> tensor<100x90xf32>
  %d = linalg.matmul ins(%c, %w : tensor<100x90xf32>, tensor<90x30xf32>) outs(%e3 : tensor<100x30xf32>) -> tensor<100x30xf32>
  return %d : tensor<100x30xf32>
}

// -----

// The product is returned besides its epilogue: the forall writes both.
// CHECK-LABEL: func.func @epilogue_and_product
// CHECK:         %[[R:.*]]:2 = scf.forall {{.*}} -> (tensor<100x90xf32>, tensor<100x90xf32>)
// CHECK:           math.exp
// CHECK:           scf.forall.in_parallel
// CHECK-COUNT-2:     tensor.parallel_insert_slice
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[R]]#0, %[[R]]#1
#id = affine_map<(i, j) -> (i, j)>
func.func @epilogue_and_product(%a: tensor<100x70xf32>, %b: tensor<70x90xf32>, %e: tensor<100x90xf32>) -> (tensor<100x90xf32>, tensor<100x90xf32>) {
  %c = linalg.matmul ins(%a, %b : tensor<100x70xf32>, tensor<70x90xf32>) outs(%e : tensor<100x90xf32>) -> tensor<100x90xf32>
  %e2 = tensor.empty() : tensor<100x90xf32>
  %d = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%c : tensor<100x90xf32>) outs(%e2 : tensor<100x90xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<100x90xf32>
  return %c, %d : tensor<100x90xf32>, tensor<100x90xf32>
}

// -----

// Not contractions, or not ones this pass generates: left unchanged.
// CHECK-LABEL: func.func @negative_elementwise
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
// CHECK-NOT:     vector.
#id = affine_map<(i, j) -> (i, j)>
func.func @negative_elementwise(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%a : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// CHECK-LABEL: func.func @negative_max_reduction
// CHECK-NOT:     scf.forall
// CHECK:         linalg.generic
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#out = affine_map<(m, n, k) -> (m, n)>
func.func @negative_max_reduction(%a: tensor<16x8xf32>, %b: tensor<8x16xf32>, %c: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<16x8xf32>, tensor<8x16xf32>) outs(%c : tensor<16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x16xf32>
  return %r : tensor<16x16xf32>
}

// CHECK-LABEL: func.func @negative_dynamic
// CHECK-NOT:     scf.forall
// CHECK:         linalg.matmul
func.func @negative_dynamic(%a: tensor<?x8xf32>, %b: tensor<8x16xf32>, %c: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x8xf32>, tensor<8x16xf32>) outs(%c : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %r : tensor<?x16xf32>
}

// CHECK-LABEL: func.func @negative_f64
// CHECK-NOT:     scf.forall
// CHECK:         linalg.matmul
func.func @negative_f64(%a: tensor<16x8xf64>, %b: tensor<8x16xf64>, %c: tensor<16x16xf64>) -> tensor<16x16xf64> {
  %r = linalg.matmul ins(%a, %b : tensor<16x8xf64>, tensor<8x16xf64>) outs(%c : tensor<16x16xf64>) -> tensor<16x16xf64>
  return %r : tensor<16x16xf64>
}

// CHECK-LABEL: func.func @negative_empty_k
// CHECK-NOT:     scf.forall
// CHECK:         linalg.matmul
func.func @negative_empty_k(%a: tensor<16x0xf32>, %b: tensor<0x16xf32>, %c: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<16x0xf32>, tensor<0x16xf32>) outs(%c : tensor<16x16xf32>) -> tensor<16x16xf32>
  return %r : tensor<16x16xf32>
}

// CHECK-LABEL: func.func @negative_memref
// CHECK-NOT:     scf.forall
// CHECK:         linalg.matmul
func.func @negative_memref(%a: memref<16x8xf32>, %b: memref<8x16xf32>, %c: memref<16x16xf32>) {
  linalg.matmul ins(%a, %b : memref<16x8xf32>, memref<8x16xf32>) outs(%c : memref<16x16xf32>)
  return
}
