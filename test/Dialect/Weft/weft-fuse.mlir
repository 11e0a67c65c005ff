// RUN: weft-opt %s --split-input-file --weft-fuse | FileCheck %s
// RUN: weft-opt %s --split-input-file --weft-fuse=max-group-size=2 | FileCheck %s --check-prefix=MAX2
// RUN: weft-opt %s --split-input-file --weft-select-library-calls --weft-fuse | FileCheck %s --check-prefix=LIB

// Bias + GELU: one kernel.
// CHECK-LABEL: func.func @bias_gelu
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK:         %[[G:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      %[[A:.*]] = weft.add %[[X]], %[[B]] : tensor<8x16xf32>, tensor<16xf32>
// CHECK-NEXT:      %[[R:.*]] = weft.gelu %[[A]] : tensor<8x16xf32>
// CHECK-NEXT:      weft.yield %[[R]] : tensor<8x16xf32>
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[G]]
func.func @bias_gelu(%x: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %a = weft.add %x, %b : tensor<8x16xf32>, tensor<16xf32>
  %g = weft.gelu %a : tensor<8x16xf32>
  return %g : tensor<8x16xf32>
}

// -----

// An elementwise chain through cast, broadcast_to and transpose: one kernel
// (equal element counts all along).
// CHECK-LABEL: func.func @elementwise_chain
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf16>, %[[V:.*]]: tensor<16xf32>)
// CHECK:         %[[G:.*]] = weft.group -> tensor<16x8xf32> {
// CHECK-NEXT:      %[[C:.*]] = weft.cast %[[X]] : tensor<8x16xf16> -> tensor<8x16xf32>
// CHECK-NEXT:      %[[BC:.*]] = weft.broadcast_to %[[V]] : tensor<16xf32> -> tensor<8x16xf32>
// CHECK-NEXT:      %[[M:.*]] = weft.mul %[[C]], %[[BC]] : tensor<8x16xf32>
// CHECK-NEXT:      %[[T:.*]] = weft.transpose %[[M]] perm = [1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
// CHECK-NEXT:      %[[R:.*]] = weft.relu %[[T]] : tensor<16x8xf32>
// CHECK-NEXT:      weft.yield %[[R]] : tensor<16x8xf32>
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[G]]
func.func @elementwise_chain(%x: tensor<8x16xf16>, %v: tensor<16xf32>) -> tensor<16x8xf32> attributes {weft.entry} {
  %c = weft.cast %x : tensor<8x16xf16> -> tensor<8x16xf32>
  %b = weft.broadcast_to %v : tensor<16xf32> -> tensor<8x16xf32>
  %m = weft.mul %c, %b : tensor<8x16xf32>
  %t = weft.transpose %m perm = [1, 0] : tensor<8x16xf32> -> tensor<16x8xf32>
  %r = weft.relu %t : tensor<16x8xf32>
  return %r : tensor<16x8xf32>
}

// -----

// softmax on its own is one kernel.
// CHECK-LABEL: func.func @softmax_alone
// CHECK:         %[[G:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      %[[S:.*]] = weft.softmax %{{.*}} axis = 1 : tensor<8x16xf32>
// CHECK-NEXT:      weft.yield %[[S]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[G]]
func.func @softmax_alone(%x: tensor<8x16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %s = weft.softmax %x axis = 1 : tensor<8x16xf32>
  return %s : tensor<8x16xf32>
}

// -----

// A scale (elementwise prologue) feeding softmax joins its kernel.
// CHECK-LABEL: func.func @scaled_softmax
// CHECK:         weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      %[[C:.*]] = weft.constant dense<1.250000e-01>
// CHECK-NEXT:      %[[M:.*]] = weft.mul %{{.*}}, %[[C]]
// CHECK-NEXT:      %[[S:.*]] = weft.softmax %[[M]] axis = 1
// CHECK-NEXT:      weft.yield %[[S]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
func.func @scaled_softmax(%x: tensor<8x16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %c = weft.constant dense<0.125> : tensor<8x16xf32>
  %m = weft.mul %x, %c : tensor<8x16xf32>
  %s = weft.softmax %m axis = 1 : tensor<8x16xf32>
  return %s : tensor<8x16xf32>
}

// -----

// Residual add (prologue) + layer_norm + tanh (epilogue): one kernel.
// CHECK-LABEL: func.func @layer_norm_block
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf32>, %[[R:.*]]: tensor<8x16xf32>, %[[G:.*]]: tensor<16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK:         %[[K:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      %[[A:.*]] = weft.add %[[X]], %[[R]] : tensor<8x16xf32>
// CHECK-NEXT:      %[[N:.*]] = weft.layer_norm %[[A]], %[[G]], %[[B]] : tensor<8x16xf32>, tensor<16xf32>
// CHECK-NEXT:      %[[T:.*]] = weft.tanh %[[N]] : tensor<8x16xf32>
// CHECK-NEXT:      weft.yield %[[T]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[K]]
func.func @layer_norm_block(%x: tensor<8x16xf32>, %r: tensor<8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %a = weft.add %x, %r : tensor<8x16xf32>
  %n = weft.layer_norm %a, %g, %b : tensor<8x16xf32>, tensor<16xf32>
  %t = weft.tanh %n : tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

// -----

// rms_norm with a cast epilogue: one kernel.
// CHECK-LABEL: func.func @rms_norm
// CHECK:         %[[K:.*]] = weft.group -> tensor<8x16xf16> {
// CHECK-NEXT:      %[[N:.*]] = weft.rms_norm %{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<16xf32>
// CHECK-NEXT:      %[[C:.*]] = weft.cast %[[N]] : tensor<8x16xf32> -> tensor<8x16xf16>
// CHECK-NEXT:      weft.yield %[[C]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[K]]
func.func @rms_norm(%x: tensor<8x16xf32>, %g: tensor<16xf32>) -> tensor<8x16xf16> attributes {weft.entry} {
  %n = weft.rms_norm %x, %g : tensor<8x16xf32>, tensor<16xf32>
  %c = weft.cast %n : tensor<8x16xf32> -> tensor<8x16xf16>
  return %c : tensor<8x16xf16>
}

// -----

// A row max broadcast along the trailing dim into its epilogue: one kernel
// (each tile of rows needs only its own rows of the max).
// CHECK-LABEL: func.func @reduce_max_sub
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf32>)
// CHECK:         %[[K:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      %[[M:.*]] = weft.reduce_max %[[X]] axes = [1] keep_dims : tensor<8x16xf32> -> tensor<8x1xf32>
// CHECK-NEXT:      %[[S:.*]] = weft.sub %[[X]], %[[M]] : tensor<8x16xf32>, tensor<8x1xf32>
// CHECK-NEXT:      weft.yield %[[S]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[K]]
func.func @reduce_max_sub(%x: tensor<8x16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %m = weft.reduce_max %x axes = [1] keep_dims : tensor<8x16xf32> -> tensor<8x1xf32>
  %s = weft.sub %x, %m : tensor<8x16xf32>, tensor<8x1xf32>
  return %s : tensor<8x16xf32>
}

// -----

// Siblings: two elementwise ops reading one tensor are one kernel with two
// results.
// CHECK-LABEL: func.func @siblings
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf32>)
// CHECK:         %[[K:.*]]:2 = weft.group -> tensor<8x16xf32>, tensor<8x16xf32> {
// CHECK-NEXT:      %[[E:.*]] = weft.exp %[[X]]
// CHECK-NEXT:      %[[T:.*]] = weft.tanh %[[X]]
// CHECK-NEXT:      weft.yield %[[E]], %[[T]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[K]]#0, %[[K]]#1
func.func @siblings(%x: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) attributes {weft.entry} {
  %e = weft.exp %x : tensor<8x16xf32>
  %t = weft.tanh %x : tensor<8x16xf32>
  return %e, %t : tensor<8x16xf32>, tensor<8x16xf32>
}

// -----

// A generated matmul (no library call) takes its bias + relu epilogue.
// With library calls selected (LIB) the matmul stays outside and only the
// epilogue is a kernel.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK-SAME:    (%[[X:.*]]: tensor<8x32xf32>, %[[W:.*]]: tensor<32x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK:         %[[K:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      %[[M:.*]] = weft.matmul %[[X]], %[[W]] : tensor<8x32xf32>, tensor<32x16xf32> -> tensor<8x16xf32>
// CHECK-NEXT:      %[[A:.*]] = weft.add %[[M]], %[[B]]
// CHECK-NEXT:      %[[R:.*]] = weft.relu %[[A]]
// CHECK-NEXT:      weft.yield %[[R]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// CHECK:         return %[[K]]
// LIB-LABEL:   func.func @matmul_epilogue
// LIB:           %[[M:.*]] = weft.matmul %{{.*}}, %{{.*}} {weft.library_call = "gemm"}
// LIB-NEXT:      %[[K:.*]] = weft.group -> tensor<8x16xf32> {
// LIB-NEXT:        %[[A:.*]] = weft.add %[[M]], %{{.*}}
// LIB-NEXT:        weft.relu %[[A]]
// LIB-NEXT:        weft.yield
// LIB-NEXT:      }
// LIB-NEXT:      return %[[K]]
func.func @matmul_epilogue(%x: tensor<8x32xf32>, %w: tensor<32x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %m = weft.matmul %x, %w : tensor<8x32xf32>, tensor<32x16xf32> -> tensor<8x16xf32>
  %a = weft.add %m, %b : tensor<8x16xf32>, tensor<16xf32>
  %r = weft.relu %a : tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// %e is used inside the kernel (by tanh) and outside (by the concat, which
// is never fused): it is yielded, not recomputed.
// CHECK-LABEL: func.func @yield_used_outside
// CHECK-SAME:    (%[[X:.*]]: tensor<8x16xf32>)
// CHECK:         %[[K:.*]]:2 = weft.group -> tensor<8x16xf32>, tensor<8x16xf32> {
// CHECK-NEXT:      %[[E:.*]] = weft.exp %[[X]]
// CHECK-NEXT:      %[[T:.*]] = weft.tanh %[[E]]
// CHECK-NEXT:      weft.yield %[[E]], %[[T]]
// CHECK-NEXT:    }
// CHECK-NOT:     weft.exp
// CHECK:         weft.concat %[[K]]#0, %[[K]]#1 axis = 1
// CHECK-NOT:     weft.exp
// CHECK:         return %[[K]]#1, %[[K]]#0
func.func @yield_used_outside(%x: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x32xf32>) attributes {weft.entry} {
  %e = weft.exp %x : tensor<8x16xf32>
  %t = weft.tanh %e : tensor<8x16xf32>
  %c = weft.concat %e, %t axis = 1 : tensor<8x16xf32>, tensor<8x16xf32> -> tensor<8x32xf32>
  return %t, %e, %c : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x32xf32>
}

// -----

// max-group-size=2 cuts a chain of four into two kernels of two; the
// default keeps it whole.
// CHECK-LABEL: func.func @chain_of_four
// CHECK:         weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      weft.exp
// CHECK-NEXT:      weft.tanh
// CHECK-NEXT:      weft.relu
// CHECK-NEXT:      weft.neg
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NOT:     weft.group
// MAX2-LABEL:  func.func @chain_of_four
// MAX2:          %[[K0:.*]] = weft.group -> tensor<8x16xf32> {
// MAX2-NEXT:       weft.exp
// MAX2-NEXT:       weft.tanh
// MAX2-NEXT:       weft.yield
// MAX2-NEXT:     }
// MAX2-NEXT:     %[[K1:.*]] = weft.group -> tensor<8x16xf32> {
// MAX2-NEXT:       weft.relu %[[K0]]
// MAX2-NEXT:       weft.neg
// MAX2-NEXT:       weft.yield
// MAX2-NEXT:     }
// MAX2-NEXT:     return %[[K1]]
func.func @chain_of_four(%x: tensor<8x16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %a = weft.exp %x : tensor<8x16xf32>
  %b = weft.tanh %a : tensor<8x16xf32>
  %c = weft.relu %b : tensor<8x16xf32>
  %d = weft.neg %c : tensor<8x16xf32>
  return %d : tensor<8x16xf32>
}

// -----

// negative: matmul -> matmul (both generated) stays two kernels: a
// contraction never reads a value computed in its own kernel.
// CHECK-LABEL: func.func @negative_matmul_matmul
// CHECK:         %[[K0:.*]] = weft.group -> tensor<8x16xi32> {
// CHECK-NEXT:      weft.matmul
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K1:.*]] = weft.group -> tensor<8x4xi32> {
// CHECK-NEXT:      weft.matmul %[[K0]], %{{.*}}
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[K1]]
func.func @negative_matmul_matmul(%x: tensor<8x16xi32>, %w: tensor<16x16xi32>, %v: tensor<16x4xi32>) -> tensor<8x4xi32> attributes {weft.entry} {
  %m = weft.matmul %x, %w : tensor<8x16xi32>, tensor<16x16xi32> -> tensor<8x16xi32>
  %n = weft.matmul %m, %v : tensor<8x16xi32>, tensor<16x4xi32> -> tensor<8x4xi32>
  return %n : tensor<8x4xi32>
}

// -----

// negative: an elementwise prologue never joins a generated matmul either.
// CHECK-LABEL: func.func @negative_prologue_into_matmul
// CHECK:         %[[K0:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      weft.exp
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    weft.group -> tensor<8x4xf32> {
// CHECK-NEXT:      weft.matmul %[[K0]], %{{.*}}
// CHECK-NEXT:      weft.yield
func.func @negative_prologue_into_matmul(%x: tensor<8x16xf32>, %v: tensor<16x4xf32>) -> tensor<8x4xf32> attributes {weft.entry} {
  %e = weft.exp %x : tensor<8x16xf32>
  %n = weft.matmul %e, %v : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
  return %n : tensor<8x4xf32>
}

// -----

// negative: a [16] producer broadcast into an [8x16] consumer stays
// separate (fusing it would recompute exp per row).
// CHECK-LABEL: func.func @negative_broadcast_producer
// CHECK:         %[[K0:.*]] = weft.group -> tensor<16xf32> {
// CHECK-NEXT:      weft.exp %{{.*}} : tensor<16xf32>
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K1:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      weft.add %{{.*}}, %[[K0]] : tensor<8x16xf32>, tensor<16xf32>
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[K1]]
func.func @negative_broadcast_producer(%x: tensor<8x16xf32>, %v: tensor<16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %e = weft.exp %v : tensor<16xf32>
  %a = weft.add %x, %e : tensor<8x16xf32>, tensor<16xf32>
  return %a : tensor<8x16xf32>
}

// -----

// negative: a reduced result broadcast along a LEADING dim (column sums
// added to every row) stays separate: each tile of rows would need the sums
// over all rows. (The add reads %y, not %x: when it reads the reduction's
// own input, the sibling rule fuses the two anyway -- a known bug, see
// weft-fuse-sibling-leading-broadcast.mlir.)
// CHECK-LABEL: func.func @negative_leading_broadcast
// CHECK:         %[[K0:.*]] = weft.group -> tensor<1x16xf32> {
// CHECK-NEXT:      weft.reduce_sum %{{.*}} axes = [0] keep_dims : tensor<8x16xf32> -> tensor<1x16xf32>
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K1:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      weft.add %{{.*}}, %[[K0]] : tensor<8x16xf32>, tensor<1x16xf32>
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[K1]]
func.func @negative_leading_broadcast(%x: tensor<8x16xf32>, %y: tensor<8x16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %s = weft.reduce_sum %x axes = [0] keep_dims : tensor<8x16xf32> -> tensor<1x16xf32>
  %a = weft.add %y, %s : tensor<8x16xf32>, tensor<1x16xf32>
  return %a : tensor<8x16xf32>
}

// -----

// negative: two reductions in a chain never share a kernel.
// CHECK-LABEL: func.func @negative_two_reductions
// CHECK:         %[[K0:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      weft.softmax
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K1:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      weft.layer_norm %[[K0]]
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[K1]]
func.func @negative_two_reductions(%x: tensor<8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %s = weft.softmax %x axis = 1 : tensor<8x16xf32>
  %n = weft.layer_norm %s, %g, %b : tensor<8x16xf32>, tensor<16xf32>
  return %n : tensor<8x16xf32>
}

// -----

// negative: nor do two sibling reductions reading one tensor.
// CHECK-LABEL: func.func @negative_sibling_reductions
// CHECK:         %[[K0:.*]] = weft.group -> tensor<8x1xf32> {
// CHECK-NEXT:      weft.reduce_sum
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K1:.*]] = weft.group -> tensor<8x1xf32> {
// CHECK-NEXT:      weft.reduce_max
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[K0]], %[[K1]]
func.func @negative_sibling_reductions(%x: tensor<8x16xf32>) -> (tensor<8x1xf32>, tensor<8x1xf32>) attributes {weft.entry} {
  %s = weft.reduce_sum %x axes = [1] keep_dims : tensor<8x16xf32> -> tensor<8x1xf32>
  %m = weft.reduce_max %x axes = [1] keep_dims : tensor<8x16xf32> -> tensor<8x1xf32>
  return %s, %m : tensor<8x1xf32>, tensor<8x1xf32>
}

// -----

// negative: %a -> library GEMM -> %b with %b also reading %a: fusing %a
// and %b would make a cycle through the GEMM, so they stay apart. The
// attribute is written by hand here; LIB gets it from
// weft-select-library-calls.
// CHECK-LABEL: func.func @negative_cycle_through_library_call
// CHECK:         %[[A:.*]] = weft.group -> tensor<16x16xf32> {
// CHECK-NEXT:      weft.exp
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[M:.*]] = weft.matmul %[[A]], %{{.*}} {weft.library_call = "gemm"}
// CHECK-NEXT:    %[[B:.*]] = weft.group -> tensor<16x16xf32> {
// CHECK-NEXT:      weft.add %[[A]], %[[M]]
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[B]]
// LIB-LABEL:   func.func @negative_cycle_through_library_call
// LIB:           %[[A:.*]] = weft.group -> tensor<16x16xf32> {
// LIB-NEXT:        weft.exp
// LIB-NEXT:        weft.yield
// LIB-NEXT:      }
// LIB-NEXT:      %[[M:.*]] = weft.matmul %[[A]], %{{.*}} {weft.library_call = "gemm"}
// LIB-NEXT:      %[[B:.*]] = weft.group -> tensor<16x16xf32> {
// LIB-NEXT:        weft.add %[[A]], %[[M]]
// LIB-NEXT:        weft.yield
// LIB-NEXT:      }
// LIB-NEXT:      return %[[B]]
func.func @negative_cycle_through_library_call(%x: tensor<16x16xf32>, %w: tensor<16x16xf32>) -> tensor<16x16xf32> attributes {weft.entry} {
  %a = weft.exp %x : tensor<16x16xf32>
  %m = weft.matmul %a, %w {weft.library_call = "gemm"} : tensor<16x16xf32>, tensor<16x16xf32> -> tensor<16x16xf32>
  %b = weft.add %a, %m : tensor<16x16xf32>
  return %b : tensor<16x16xf32>
}

// -----

// negative: the same cycle for siblings: exp and add both read %x, but add
// also reads the GEMM of exp's result, so they stay apart.
// CHECK-LABEL: func.func @negative_sibling_cycle
// CHECK-SAME:    (%[[X:.*]]: tensor<16x16xf32>, %{{.*}}: tensor<16x16xf32>)
// CHECK:         %[[A:.*]] = weft.group -> tensor<16x16xf32> {
// CHECK-NEXT:      weft.exp %[[X]]
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[M:.*]] = weft.matmul %[[A]], %{{.*}} {weft.library_call = "gemm"}
// CHECK-NEXT:    %[[B:.*]] = weft.group -> tensor<16x16xf32> {
// CHECK-NEXT:      weft.add %[[X]], %[[M]]
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[B]]
func.func @negative_sibling_cycle(%x: tensor<16x16xf32>, %w: tensor<16x16xf32>) -> tensor<16x16xf32> attributes {weft.entry} {
  %a = weft.exp %x : tensor<16x16xf32>
  %m = weft.matmul %a, %w {weft.library_call = "gemm"} : tensor<16x16xf32>, tensor<16x16xf32> -> tensor<16x16xf32>
  %b = weft.add %x, %m : tensor<16x16xf32>
  return %b : tensor<16x16xf32>
}

// -----

// negative: concat is opaque: a kernel of its own, fused with neither its
// producer nor its consumer.
// CHECK-LABEL: func.func @negative_opaque_concat
// CHECK:         %[[E:.*]] = weft.group -> tensor<4x8xf32> {
// CHECK-NEXT:      weft.exp
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[C:.*]] = weft.group -> tensor<4x16xf32> {
// CHECK-NEXT:      weft.concat %[[E]], %{{.*}} axis = 1
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[R:.*]] = weft.group -> tensor<4x16xf32> {
// CHECK-NEXT:      weft.relu %[[C]]
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
func.func @negative_opaque_concat(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x16xf32> attributes {weft.entry} {
  %e = weft.exp %x : tensor<4x8xf32>
  %c = weft.concat %e, %y axis = 1 : tensor<4x8xf32>, tensor<4x8xf32> -> tensor<4x16xf32>
  %r = weft.relu %c : tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// negative: embedding is opaque too.
// CHECK-LABEL: func.func @negative_opaque_embedding
// CHECK:         %[[E:.*]] = weft.group -> tensor<2x8x16xf32> {
// CHECK-NEXT:      weft.embedding
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[R:.*]] = weft.group -> tensor<2x8x16xf32> {
// CHECK-NEXT:      weft.relu %[[E]]
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
func.func @negative_opaque_embedding(%t: tensor<100x16xf32>, %ids: tensor<2x8xi64>) -> tensor<2x8x16xf32> attributes {weft.entry} {
  %e = weft.embedding %t, %ids : tensor<100x16xf32>, tensor<2x8xi64> -> tensor<2x8x16xf32>
  %r = weft.relu %e : tensor<2x8x16xf32>
  return %r : tensor<2x8x16xf32>
}

// -----

// negative: a function that is not an entry is left alone.
// CHECK-LABEL: func.func @negative_not_entry
// CHECK-NOT:     weft.group
// CHECK:         weft.exp
// CHECK-NEXT:    weft.tanh
// CHECK-NEXT:    return
func.func @negative_not_entry(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = weft.exp %x : tensor<8xf32>
  %t = weft.tanh %e : tensor<8xf32>
  return %t : tensor<8xf32>
}
