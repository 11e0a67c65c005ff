// RUN: weft-opt %s --split-input-file --weft-fuse | FileCheck %s
// The sibling rule of weft-fuse must not merge a reduction with an
// elementwise op that reads the same input when the edge between them may
// not fuse. Here the column sums (reduced along the LEADING dim) are added
// to every row of %x: the producer-consumer rule rejects the edge (no
// trailing broadcast), so although both ops read %x over 128 points they
// stay two kernels (one kernel would need the sums over all rows in every
// tile of rows).

// CHECK-LABEL: func.func @negative_sibling_leading_broadcast
// CHECK:         %[[K0:.*]] = weft.group -> tensor<1x16xf32> {
// CHECK-NEXT:      weft.reduce_sum %{{.*}} axes = [0] keep_dims : tensor<8x16xf32> -> tensor<1x16xf32>
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K1:.*]] = weft.group -> tensor<8x16xf32> {
// CHECK-NEXT:      weft.add %{{.*}}, %[[K0]] : tensor<8x16xf32>, tensor<1x16xf32>
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[K1]]
func.func @negative_sibling_leading_broadcast(%x: tensor<8x16xf32>) -> tensor<8x16xf32> attributes {weft.entry} {
  %s = weft.reduce_sum %x axes = [0] keep_dims : tensor<8x16xf32> -> tensor<1x16xf32>
  %a = weft.add %x, %s : tensor<8x16xf32>, tensor<1x16xf32>
  return %a : tensor<8x16xf32>
}

// -----

// The same over a middle axis of a 3-d tensor (4x1x16 into 4x8x16).
// CHECK-LABEL: func.func @negative_sibling_middle_broadcast
// CHECK:         %[[K0:.*]] = weft.group -> tensor<4x1x16xf32> {
// CHECK-NEXT:      weft.reduce_mean
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[K1:.*]] = weft.group -> tensor<4x8x16xf32> {
// CHECK-NEXT:      weft.sub %{{.*}}, %[[K0]]
// CHECK-NEXT:      weft.yield
// CHECK-NEXT:    }
func.func @negative_sibling_middle_broadcast(%x: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> attributes {weft.entry} {
  %m = weft.reduce_mean %x axes = [1] keep_dims : tensor<4x8x16xf32> -> tensor<4x1x16xf32>
  %s = weft.sub %x, %m : tensor<4x8x16xf32>, tensor<4x1x16xf32>
  return %s : tensor<4x8x16xf32>
}
